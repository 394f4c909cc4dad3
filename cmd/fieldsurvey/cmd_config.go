package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

func newConfigCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write or show the configuration · Tạo hoặc xem cấu hình",
		Long: `The configuration is config.yaml in the home folder, overridden by FIELDSURVEY_*
environment variables (FIELDSURVEY_LANGUAGE, FIELDSURVEY_ASSESSOR_NAME, …), overridden by
flags (--lang).

Cấu hình là tệp config.yaml trong thư mục làm việc; biến môi trường FIELDSURVEY_* ghi đè
tệp, và cờ dòng lệnh (--lang) ghi đè biến môi trường.`,
		Example: `  fieldsurvey config init
  fieldsurvey config show
  FIELDSURVEY_LANGUAGE=en fieldsurvey config show --json`,
	}
	return groupCommand(cmd, newConfigInitCommand(g), newConfigShowCommand(g))
}

type configInitOptions struct {
	force bool
}

func newConfigInitCommand(g *globals) *cobra.Command {
	var opts configInitOptions
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented config.yaml · Tạo tệp config.yaml có chú thích",
		Long: `config init writes config.yaml in the home folder: every setting with a comment saying
what it does. It refuses to replace an existing file unless --force is given; then it keeps
the values of the old file (the device id above all) and saves the old file as
config.yaml.bak.

config init tạo tệp config.yaml có chú thích cho từng thiết lập. Không ghi đè tệp có sẵn
trừ khi có --force; khi đó giữ các giá trị cũ (nhất là mã thiết bị) và lưu tệp cũ thành
config.yaml.bak.`,
		Example: `  fieldsurvey config init
  fieldsurvey config init --force`,
		Args: cobra.NoArgs,
		// A broken config.yaml must not stop the command that replaces it.
		Annotations: map[string]string{annotationConfigOptional: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigInit(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.force, "force", false, "replace an existing config.yaml, keeping its values · ghi đè tệp có sẵn, giữ các giá trị")
	return cmd
}

func runConfigInit(_ context.Context, g *globals, opts configInitOptions) error {
	path := g.configPath()
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if exists && !opts.force {
		return withHint(fail("%s already exists", "%s đã tồn tại", path),
			"'fieldsurvey config show' prints it; --force rewrites it with comments, keeping its values",
			"'fieldsurvey config show' để xem; --force ghi lại có chú thích, giữ nguyên các giá trị")
	}
	if err := os.MkdirAll(g.home, 0o700); err != nil {
		return failWrap(err, "create home folder", "tạo thư mục làm việc")
	}
	c, err := fileConfig(path)
	if err != nil {
		// The old file is unreadable: start from the defaults; the old file is kept below.
		g.warn(errorText(err, g.lang()))
		c = defaultConfig()
	}
	if c.Device == "" {
		if c.Device, err = newDeviceID(g.rand); err != nil {
			return err
		}
	}
	if exists {
		old, err := os.ReadFile(path)
		if err != nil {
			return failWrap(err, "read %s", "đọc %s", path)
		}
		if err := writeFileAtomic(path+".bak", old, 0o600); err != nil {
			return failWrap(err, "keep the old configuration", "giữ cấu hình cũ")
		}
		g.infof("kept the old configuration as %s", "đã giữ cấu hình cũ thành %s", path+".bak")
	}
	if err := writeFileAtomic(path, configTemplate(c), 0o600); err != nil {
		return failWrap(err, "write %s", "ghi %s", path)
	}
	g.infof("wrote %s", "đã ghi %s", path)
	return nil
}

type configShowOptions struct {
	json bool
}

func newConfigShowCommand(g *globals) *cobra.Command {
	var opts configShowOptions
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the settings in effect and where each comes from · In các thiết lập đang dùng và nguồn của chúng",
		Example: `  fieldsurvey config show
  fieldsurvey --lang en config show --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConfigShow(cmd.Context(), g, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print JSON · in dạng JSON")
	return cmd
}

// configShow is the JSON of `config show`.
type configShow struct {
	Home       string            `json:"home"`
	HomeSource string            `json:"home_source"`
	File       string            `json:"file"`
	FileExists bool              `json:"file_exists"`
	Config     Config            `json:"config"`
	Sources    map[string]string `json:"sources"`
}

func runConfigShow(_ context.Context, g *globals, opts configShowOptions) error {
	out := configShow{Home: g.home, HomeSource: string(g.homeSrc), File: g.configPath(),
		Config: g.cfg, Sources: map[string]string{}}
	if _, err := os.Stat(out.File); err == nil {
		out.FileExists = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return failWrap(err, "read %s", "đọc %s", out.File)
	}
	for _, k := range configKeys {
		out.Sources[k.key] = configSource(g.v, g.root.PersistentFlags(), k.key)
	}
	// A database URL may hold a password: show it redacted, as it would be in a log.
	out.Config.Database = server.Redact(out.Config.Database)
	if opts.json {
		return writeJSON(g.stdout, out)
	}
	file := out.File
	if !out.FileExists {
		file += g.t(" (missing: defaults apply)", " (chưa có: dùng giá trị mặc định)")
	}
	fmt.Fprintf(g.stdout, "# %s: %s (%s)\n# %s: %s\n", g.t("home", "thư mục làm việc"), out.Home, g.sourceText(out.HomeSource),
		g.t("file", "tệp"), file)
	values := configValues(out.Config)
	t := newTable(g.stdout)
	for _, k := range configKeys {
		t.row(k.key+":", yamlValue(values[k.key]), "# "+g.sourceText(out.Sources[k.key]))
	}
	return t.flush()
}

// sourceText says where a setting comes from (configSource's words: "default", "file",
// "env NAME", "flag --NAME") in the user's language; the JSON keeps the stable words.
func (g *globals) sourceText(src string) string {
	switch {
	case src == "default":
		return g.t("default", "mặc định")
	case src == "file":
		return g.t("file", "tệp cấu hình")
	case strings.HasPrefix(src, "env "):
		return g.t("environment variable ", "biến môi trường ") + strings.TrimPrefix(src, "env ")
	case strings.HasPrefix(src, "flag "):
		return g.t("flag ", "cờ dòng lệnh ") + strings.TrimPrefix(src, "flag ")
	}
	return src
}
