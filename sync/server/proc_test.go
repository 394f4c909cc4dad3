package server_test

import "github.com/fieldsurvey/fieldsurvey/internal/procstat"

// What the benchmarks report beside their figures (internal/procstat: 0 where the
// operating system cannot say).
var (
	cpuTime        = procstat.CPUTime
	writtenBytes   = procstat.WrittenBytes
	procCPU        = procstat.CPU
	procWritten    = procstat.Written
	procPeakRSS    = procstat.PeakRSS
	loadAverage    = procstat.LoadAverage
	processCPU     = procstat.CPUWithChildren
	postgresParent = procstat.PostgresParent
)
