//go:build !unix

package server_test

import "time"

// cpuTime is unknown here.
func cpuTime() time.Duration { return 0 }

// writtenBytes is unknown here.
func writtenBytes() int64 { return 0 }

// procCPU is unknown here.
func procCPU(pid int) time.Duration { return 0 }

// procWritten is unknown here.
func procWritten(pid int) int64 { return 0 }

func processCPU(pid int) time.Duration { return 0 }

func postgresParent(pid int) int { return 0 }
