package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Config is the effective configuration: config.yaml in the home folder, overridden by
// FIELDSURVEY_* environment variables, overridden by command-line flags. It is a plain
// struct so that the TUI and other packages receive it without knowing viper.
type Config struct {
	Assessor      AssessorConfig `mapstructure:"assessor" json:"assessor"`
	Role          string         `mapstructure:"role" json:"role"`
	Language      string         `mapstructure:"language" json:"language"`
	Device        string         `mapstructure:"device" json:"device"`
	Color         string         `mapstructure:"color" json:"color"`
	Questionnaire string         `mapstructure:"questionnaire" json:"questionnaire"`
	Server        ServerConfig   `mapstructure:"server" json:"server"`
	Recipients    []string       `mapstructure:"recipients" json:"recipients"`
	Sync          SyncConfig     `mapstructure:"sync" json:"sync"`
	Database      string         `mapstructure:"database" json:"database"`
}

// AssessorConfig is who records the interviews of this device.
type AssessorConfig struct {
	Name      string `mapstructure:"name" json:"name"`
	Principal string `mapstructure:"principal" json:"principal"`
}

// ServerConfig is the central server this device syncs with.
type ServerConfig struct {
	URL string `mapstructure:"url" json:"url"`
}

// SyncConfig says how the device syncs.
type SyncConfig struct {
	Interval time.Duration `mapstructure:"interval" json:"interval"`
}

// configKey is one setting: its key, its default and what it does (the comment of the
// template). Every key has a default, so that its FIELDSURVEY_* variable always reaches
// Unmarshal (viper ignores the environment for keys it knows nothing of).
type configKey struct {
	key  string
	def  any
	help survey.Text // what it does, in every language
}

// configKeys lists every setting in the order of the template. Add a key here and a field
// to Config; the template, `config show`, the environment variable and the default follow.
var configKeys = []configKey{
	{"assessor.name", "", survey.T("Your name, as recorded on the interviews you make.",
		"Họ tên của bạn, được ghi vào các cuộc phỏng vấn bạn thực hiện.")},
	{"assessor.principal", "", survey.T("The identity that signs your batches (for example your e-mail), as supervisors list it in allowed_signers.",
		"Danh tính dùng để ký các lô dữ liệu của bạn (ví dụ địa chỉ thư điện tử), như người giám sát ghi trong allowed_signers.")},
	{"role", "assessor", survey.T("What this home is for: assessor (records interviews) or supervisor (reviews, approves, returns and settles them, with its own key and hub). Set by 'fieldsurvey init --role'.",
		"Vai trò của thư mục làm việc này: assessor (người đánh giá, ghi phỏng vấn) hoặc supervisor (người giám sát: xem xét, duyệt, trả lại, giải quyết xung đột, có khoá và kho tổng hợp riêng). Đặt bằng 'fieldsurvey init --role'.")},
	{"language", "vi", survey.T("Language of the screens, messages and reports: vi (Tiếng Việt) or en (English). Flag: --lang.",
		"Ngôn ngữ của màn hình, thông báo và báo cáo: vi (Tiếng Việt) hoặc en (English). Cờ dòng lệnh: --lang.")},
	{"device", "", survey.T("This device's id, made by 'fieldsurvey init'. Every change you make carries it: do not change it.",
		"Mã của thiết bị này, do 'fieldsurvey init' tạo. Mọi thay đổi bạn thực hiện đều mang mã này: đừng sửa nó.")},
	{"color", "auto", survey.T("Colours in terminal output: auto (when writing to a terminal), always, or never. NO_COLOR in the environment turns them off in every case.",
		"Màu trong kết quả in ra terminal: auto (khi in ra terminal), always (luôn luôn) hoặc never (không bao giờ). Biến môi trường NO_COLOR luôn tắt màu.")},
	{"questionnaire", "dgra-2018", survey.T("Questionnaire for new interviews: an id from 'fieldsurvey questionnaire list'.",
		"Bảng hỏi cho các cuộc phỏng vấn mới: một mã trong 'fieldsurvey questionnaire list'.")},
	{"server.url", "", survey.T("The central server 'fieldsurvey sync' talks to, for example https://survey.example.org. Empty: no server; carry batch files instead.",
		"Máy chủ trung tâm mà 'fieldsurvey sync' kết nối, ví dụ https://survey.example.org. Để trống: không có máy chủ; chuyển các tệp lô dữ liệu thay thế.")},
	{"recipients", []string{}, survey.T("age recipients (age1… or ssh-ed25519 keys) that the answers in batches are encrypted to: the server and the supervisors.",
		"Người nhận age (khoá age1… hoặc ssh-ed25519) mà câu trả lời trong các lô được mã hoá cho họ: máy chủ và người giám sát.")},
	{"sync.interval", 5 * time.Minute, survey.T("How often the interview screen syncs in the background when a server is set (for example 5m, 1h).",
		"Màn hình phỏng vấn đồng bộ ngầm bao lâu một lần khi đã có máy chủ (ví dụ 5m, 1h).")},
	{"database", "", survey.T("For a server only: the postgres:// URL of the database every server node shares ('serve' and 'server' commands; flag --database). Empty: SQLite in the server's data folder.",
		"Chỉ dành cho máy chủ: URL postgres:// của cơ sở dữ liệu mà mọi nút máy chủ dùng chung (lệnh 'serve' và 'server'; cờ --database). Để trống: SQLite trong thư mục dữ liệu của máy chủ.")},
}

// Config values that are checked.
var (
	languages = []string{"vi", "en"}
	roles     = []string{"assessor", "supervisor"}
	colors    = []string{"auto", "always", "never"}
)

// envPrefix is the prefix of the environment variables: assessor.name is
// FIELDSURVEY_ASSESSOR_NAME.
const envPrefix = "FIELDSURVEY"

// envName returns the environment variable of key.
func envName(key string) string {
	return envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// newViper returns a viper with every default, reading the environment when env is true.
func newViper(env bool) *viper.Viper {
	v := viper.New()
	v.SetConfigType("yaml")
	for _, k := range configKeys {
		v.SetDefault(k.key, k.def)
	}
	if env {
		v.SetEnvPrefix(envPrefix)
		v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
		v.AutomaticEnv()
	}
	return v
}

// readConfigFile reads path into v; a missing file is no error (every key has a default).
func readConfigFile(v *viper.Viper, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return withHint(failWrap(err, "read config %s", "đọc cấu hình %s", path),
			"fix the file, or run 'fieldsurvey config init --force' to write a new one (the old one is kept as config.yaml.bak)",
			"sửa tệp, hoặc chạy 'fieldsurvey config init --force' để tạo tệp mới (tệp cũ được giữ thành config.yaml.bak)")
	}
	return nil
}

// decodeConfig unmarshals v and checks the values.
func decodeConfig(v *viper.Viper, flags *pflag.FlagSet) (Config, error) {
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return Config{}, failWrap(err, "read configuration", "đọc cấu hình")
	}
	for i, r := range c.Recipients {
		c.Recipients[i] = strings.TrimSpace(r)
	}
	c.Language = strings.ToLower(strings.TrimSpace(c.Language))
	c.Color = strings.ToLower(strings.TrimSpace(c.Color))
	c.Role = strings.ToLower(strings.TrimSpace(c.Role))
	check := func(key, val string, allowed []string) error {
		for _, a := range allowed {
			if val == a {
				return nil
			}
		}
		return withHint(fail("%s is %q (from %s): expected one of %s", "%s là %q (từ %s): cần là một trong %s",
			key, val, configSource(v, flags, key), strings.Join(allowed, ", ")),
			"correct it where it is set; 'fieldsurvey config show' lists every setting and where it comes from",
			"sửa ở nơi thiết lập; 'fieldsurvey config show' liệt kê các thiết lập và nguồn của chúng")
	}
	if err := check("language", c.Language, languages); err != nil {
		return Config{}, err
	}
	if err := check("color", c.Color, colors); err != nil {
		return Config{}, err
	}
	if err := check("role", c.Role, roles); err != nil {
		return Config{}, err
	}
	return c, nil
}

// defaultConfig returns the configuration with every default.
func defaultConfig() Config {
	c, err := decodeConfig(newViper(false), nil)
	if err != nil {
		panic(fmt.Sprintf("the default configuration is invalid: %v", err)) // a programming error
	}
	return c
}

// flagOf maps config keys to the global flags that set them.
var flagOf = map[string]string{"language": "lang"}

// configSource says where key's effective value comes from: "flag --lang",
// "env FIELDSURVEY_LANGUAGE", "file", or "default".
func configSource(v *viper.Viper, flags *pflag.FlagSet, key string) string {
	if name, ok := flagOf[key]; ok && flags != nil {
		if f := flags.Lookup(name); f != nil && f.Changed {
			return "flag --" + name
		}
	}
	if os.Getenv(envName(key)) != "" { // viper ignores empty variables
		return "env " + envName(key)
	}
	if v.InConfig(key) {
		return "file"
	}
	return "default"
}

// homeSource says where the home folder comes from.
type homeSource string

const (
	homeFromFlag    homeSource = "flag --home"
	homeFromEnv     homeSource = "env FIELDSURVEY_HOME"
	homeFromDefault homeSource = "default"
)

// resolveHome returns the home folder: --home, else FIELDSURVEY_HOME, else the user's
// configuration folder + "fieldsurvey".
func resolveHome(flag string) (string, homeSource, error) {
	dir, src := flag, homeFromFlag
	if dir == "" {
		dir, src = os.Getenv("FIELDSURVEY_HOME"), homeFromEnv
	}
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return "", "", withHint(failWrap(err, "find the home folder", "tìm thư mục làm việc"),
				"give one with --home DIR or FIELDSURVEY_HOME", "chỉ định bằng --home DIR hoặc FIELDSURVEY_HOME")
		}
		dir, src = filepath.Join(base, "fieldsurvey"), homeFromDefault
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", failWrap(err, "home folder %s", "thư mục làm việc %s", dir)
	}
	return abs, src, nil
}

// configValues maps every key of configKeys to its value in c.
func configValues(c Config) map[string]any {
	return map[string]any{
		"assessor.name": c.Assessor.Name, "assessor.principal": c.Assessor.Principal, "role": c.Role,
		"language": c.Language, "device": c.Device, "color": c.Color,
		"questionnaire": c.Questionnaire, "server.url": c.Server.URL,
		"recipients": c.Recipients, "sync.interval": c.Sync.Interval, "database": c.Database,
	}
}

// configTemplate returns a commented config.yaml holding the values of c.
func configTemplate(c Config) []byte {
	values := configValues(c)
	var b strings.Builder
	b.WriteString(`# fieldsurvey configuration (cấu hình fieldsurvey).
#
# Precedence: this file < environment variables < command-line flags. Every key has an
# environment variable: FIELDSURVEY_ and the key in capitals with "_" for ".", for example
# FIELDSURVEY_LANGUAGE=en or FIELDSURVEY_ASSESSOR_NAME="Nguyễn Văn An".
# 'fieldsurvey config show' prints the settings in effect and where each comes from.
#
# Thứ tự ưu tiên: tệp này < biến môi trường < cờ dòng lệnh. Mỗi khoá có một biến môi
# trường: FIELDSURVEY_ và tên khoá viết hoa, "_" thay cho ".", ví dụ FIELDSURVEY_LANGUAGE=en
# hoặc FIELDSURVEY_ASSESSOR_NAME="Nguyễn Văn An".
# 'fieldsurvey config show' in các thiết lập đang dùng và nguồn của từng thiết lập.
`)
	group := ""
	for _, k := range configKeys {
		g, name, nested := strings.Cut(k.key, ".")
		if !nested {
			g, name = "", k.key
		}
		if g != group && g != "" {
			fmt.Fprintf(&b, "\n%s:\n", g)
		}
		group = g
		indent := ""
		if g != "" {
			indent = "  "
		} else {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s# %s\n%s# %s\n", indent, k.help.Get(survey.LangEN), indent, k.help.Get(survey.LangVI))
		fmt.Fprintf(&b, "%s%s: %s\n", indent, name, yamlValue(values[k.key]))
	}
	return []byte(b.String())
}

// yamlValue writes v as a YAML flow value.
func yamlValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case time.Duration:
		return x.String()
	}
	return fmt.Sprint(v)
}
