package main

import (
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"fieldsurvey": main})
}

// TestScripts runs the real program through the scripts in testdata/script. Each script gets
// a fresh $WORK, which is also its HOME and its fieldsurvey home folder.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Cmds:                scriptCmds,
		Condition:           scriptCondition,
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("FIELDSURVEY_HOME", e.WorkDir)
			return nil
		},
	})
}
