package server

// SetCPUSlots lets a test check more uploads at once than the processors (several server
// nodes in one test process would otherwise share one slot and never write at the same
// time); it returns the function that restores the old bound. Only while no upload runs.
func SetCPUSlots(n int) (restore func()) {
	old := cpuSlots
	cpuSlots = make(chan struct{}, n)
	return func() { cpuSlots = old }
}
