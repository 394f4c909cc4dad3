package server

// SetCPUSlots lets a test check more uploads at once than the processors (several server
// nodes in one test process would otherwise share one slot and never write at the same
// time); it returns the function that restores the old bound. Only while no upload runs.
func SetCPUSlots(n int) (restore func()) {
	old := cpuSlots
	cpuSlots = make(chan struct{}, n)
	return func() { cpuSlots = old }
}

// Folded is how many interviews r's lists folded because interview_summaries lacked their
// summary or progress (or held them for fewer revisions).
func (r *PostgresReader) Folded() int64 { return r.folded.Load() }
