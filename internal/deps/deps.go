//go:build tools

// Package deps pins the project's dependencies while the code that uses them is written.
package deps

import (
	_ "filippo.io/age"
	_ "github.com/charmbracelet/bubbles/textarea"
	_ "github.com/charmbracelet/bubbletea"
	_ "github.com/charmbracelet/lipgloss"
	_ "github.com/charmbracelet/x/exp/teatest"
	_ "github.com/expr-lang/expr"
	_ "github.com/google/uuid"
	_ "github.com/hiddeco/sshsig"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "golang.org/x/crypto/ssh"
	_ "golang.org/x/text/unicode/norm"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
	_ "github.com/prometheus/client_golang/prometheus"
)
