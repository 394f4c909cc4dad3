package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/fieldsurvey/fieldsurvey/sync/keys"
	"github.com/fieldsurvey/fieldsurvey/sync/server"
)

type serveOptions struct {
	addr      string
	data      string
	database  string
	addrFile  string
	tlsCert   string
	tlsKey    string
	logFormat string
	maxBatch  int64
	minFree   int64
	minRate   int64
	shutdown  time.Duration
}

func newServeCommand(g *globals) *cobra.Command {
	var opts serveOptions
	cmd := &cobra.Command{
		Use:   "serve --data DIR [--addr HOST:PORT] [--tls-cert FILE --tls-key FILE]",
		Short: "Run the central server · Chạy máy chủ trung tâm",
		Long: `serve runs the central server that devices sync with. Its data lives in DIR: the hub store
(hub.db, SQLite) with every revision, batch, receipt and enrolled device, and the server's
Ed25519 key (server_ed25519), made on first start. Devices pin that key when they enrol.

The API is versioned under /v1 (enrol, upload batches, download what waits for a device);
/healthz answers whether the server can work: 200, or 503 naming the failing check (store
not answering, store file or data folder not writable, free space on the data folder's
disk below --min-free-bytes). /metrics gives Prometheus metrics. Uploads are signed by the
enrolled device and checked before the server reserves memory for them; a device has one
upload in flight at a time, and an upload slower than --min-upload-rate (after 10 s) is cut.
Logs are structured (JSON by default) on stderr. On SIGINT or SIGTERM the server stops
accepting connections and finishes the uploads in flight before it exits, with status 0
when all finished (1 when some had to be cut). Without --tls-cert and --tls-key it speaks
plain HTTP: put it behind a TLS proxy, or give it a certificate. Its garbage collector lets
the heap grow to three times what is live (GOGC=200) within a soft limit of 1 GiB
(GOMEMLIMIT); set either variable in its environment to choose otherwise.

serve chạy máy chủ trung tâm để các thiết bị đồng bộ. Dữ liệu nằm trong DIR: kho tổng hợp
hub.db và khoá Ed25519 của máy chủ (tạo khi khởi động lần đầu). Khi nhận SIGINT hoặc SIGTERM,
máy chủ ngừng nhận kết nối mới và hoàn tất các lượt tải lên đang dở rồi mới thoát, với mã
thoát 0 khi mọi lượt đã xong (1 khi phải cắt ngang một số lượt). /healthz trả 200, hoặc 503
kèm tên mục kiểm tra không đạt (kho không trả lời, tệp kho hay thư mục dữ liệu không ghi được,
dung lượng trống dưới --min-free-bytes). Lượt tải lên được thiết bị đã đăng ký ký và kiểm tra
trước khi máy chủ dành bộ nhớ; mỗi thiết bị chỉ một lượt tải lên cùng lúc, và lượt chậm hơn
--min-upload-rate (sau 10 giây) bị cắt. Bộ thu gom rác của máy chủ để vùng nhớ heap lớn tới ba
lần phần đang dùng (GOGC=200) trong giới hạn mềm 1 GiB (GOMEMLIMIT); đặt một trong hai biến
môi trường này để chọn khác.`,
		Example: `  fieldsurvey serve --data /srv/fieldsurvey
  fieldsurvey serve --data /srv/fieldsurvey --addr 0.0.0.0:8750 --tls-cert cert.pem --tls-key key.pem
  fieldsurvey server token --data /srv/fieldsurvey --assessor "Nguyễn Văn An"`,
		Args: cobra.NoArgs,
		// SIGINT and SIGTERM are how a server is stopped: a clean shutdown exits 0.
		Annotations: map[string]string{stopsOnSignal: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), g, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.addr, "addr", "127.0.0.1:8750", "address to listen on (port 0: any free port) · địa chỉ lắng nghe")
	f.StringVar(&opts.data, "data", "", "the server's data folder (created if missing) · thư mục dữ liệu của máy chủ")
	f.StringVar(&opts.database, "database", "", "the store: a postgres:// URL shared by every node (also FIELDSURVEY_DATABASE, config key database); empty: SQLite in --data · kho dữ liệu: URL postgres:// dùng chung cho mọi nút; để trống: SQLite trong --data")
	f.StringVar(&opts.addrFile, "addr-file", "", "write the address listened on to this file once listening · ghi địa chỉ vào tệp này")
	f.StringVar(&opts.tlsCert, "tls-cert", "", "TLS certificate (PEM) · chứng chỉ TLS")
	f.StringVar(&opts.tlsKey, "tls-key", "", "TLS private key (PEM) · khoá riêng TLS")
	f.StringVar(&opts.logFormat, "log-format", "json", "log format on stderr: json or text · định dạng nhật ký")
	f.Int64Var(&opts.maxBatch, "max-batch-bytes", 64<<20, "largest batch accepted, in bytes · kích thước lô tối đa")
	f.Int64Var(&opts.minFree, "min-free-bytes", 0, "free space on the data folder's disk below which /healthz fails (0: twice --max-batch-bytes) · dung lượng trống tối thiểu")
	f.Int64Var(&opts.minRate, "min-upload-rate", 64<<10, "slowest average upload, in bytes a second after 10 s, before an upload is cut · tốc độ tải lên tối thiểu")
	f.DurationVar(&opts.shutdown, "shutdown-timeout", 30*time.Second, "how long to wait for uploads in flight on shutdown · thời gian chờ khi dừng")
	return cmd
}

// needData checks the --data flag of the server commands.
func needData(dir string) error {
	if dir == "" {
		return withHint(fail("no server data folder", "chưa chỉ định thư mục dữ liệu máy chủ"),
			"name it with --data DIR (the folder 'fieldsurvey serve' uses)",
			"chỉ định bằng --data DIR (thư mục mà 'fieldsurvey serve' dùng)")
	}
	return nil
}

// serverDatabase is the database the server commands use: the --database flag, else
// FIELDSURVEY_DATABASE or the config key database; empty means the SQLite store in the data
// folder.
func serverDatabase(g *globals, flag string) string {
	if flag != "" {
		return flag
	}
	if g.v != nil {
		if v := g.v.GetString("database"); v != "" {
			return v
		}
	}
	return os.Getenv("FIELDSURVEY_DATABASE")
}

// openServerData opens the server in data folder dir (server.OpenData): only serve
// (create true) makes a new server there. Each refusal gets its hint here.
func openServerData(ctx context.Context, g *globals, dir, database string, create bool) (server.Store, *serverKey, error) {
	if err := needData(dir); err != nil {
		return nil, nil, err
	}
	d, err := server.OpenData(ctx, dir, database, create, g.upgradeNotice())
	var dbErr *server.DatabaseError
	var keyErr *server.KeyMissingError
	switch {
	case err == nil:
	case errors.As(err, &dbErr):
		return nil, nil, withHint(failWrap(err, "open the server's database", "mở cơ sở dữ liệu máy chủ"),
			"check --database (postgres://USER@HOST:PORT/DB) and that PostgreSQL is running and reachable from here",
			"kiểm tra --database (postgres://USER@HOST:PORT/DB) và PostgreSQL đang chạy, kết nối được từ máy này")
	case errors.As(err, &keyErr):
		return nil, nil, withHint(fail("%s holds no server key, and the database belongs to server key %s", "%s không có khoá máy chủ, mà cơ sở dữ liệu thuộc về khoá máy chủ %s", dir, keyErr.Bound),
			"copy "+server.KeyFile+" from another node's data folder into --data: every node of a server signs with the same key",
			"chép "+server.KeyFile+" từ thư mục dữ liệu của một nút khác vào --data: mọi nút của máy chủ ký bằng cùng một khoá")
	case errors.Is(err, server.ErrNoServer):
		return nil, nil, withHint(fail("%s holds no server (no %s)", "%s không chứa máy chủ nào (không có %s)", dir, server.KeyFile),
			"check --data; 'fieldsurvey serve --data DIR' makes a server the first time it starts",
			"kiểm tra --data; 'fieldsurvey serve --data DIR' tạo máy chủ ở lần khởi động đầu tiên")
	case errors.Is(err, server.ErrNoStore):
		// A key without hub.db: the folder serves a PostgreSQL database (or its store was
		// moved away).
		return nil, nil, withHint(fail("%s holds the server key but no %s", "%s có khoá máy chủ nhưng không có %s", dir, server.DBFile),
			"give the server's PostgreSQL database with --database (or FIELDSURVEY_DATABASE); to restore a SQLite backup, copy it to %s",
			"chỉ định cơ sở dữ liệu PostgreSQL của máy chủ bằng --database (hoặc FIELDSURVEY_DATABASE); để khôi phục bản sao lưu SQLite, chép nó thành %s", filepath.Join(dir, server.DBFile))
	case errors.Is(err, server.ErrOtherKey):
		return nil, nil, withHint(failWrap(err, "open the server's database", "mở cơ sở dữ liệu máy chủ"),
			"give every node a copy of the same "+server.KeyFile+" (the one the database was made with) in its --data folder",
			"đặt cùng một tệp "+server.KeyFile+" (tệp đã dùng khi tạo cơ sở dữ liệu) vào thư mục --data của mọi nút")
	default:
		return nil, nil, failWrap(err, "open the server in %s", "mở máy chủ trong %s", dir)
	}
	if d.Created {
		g.notef("made the server key %s (%s); devices pin it when they enrol: keep it, and back it up",
			"đã tạo khoá máy chủ %s (%s); các thiết bị ghi nhớ khoá này khi đăng ký: hãy giữ và sao lưu nó",
			d.KeyPath, keys.Fingerprint(d.Signer.PublicKey()))
	}
	return d.Store, &serverKey{signer: d.Signer, path: d.KeyPath}, nil
}

// serveGCPercent and serveMemoryLimit are serve's garbage collector settings (serveGC).
const (
	serveGCPercent   = 200
	serveMemoryLimit = 1 << 30
)

// serveGC lets the heap grow to three times what is live before collecting, within a
// soft limit of 1 GiB, unless GOGC or GOMEMLIMIT says otherwise. What a server keeps alive
// is mostly the batches checked and waiting for the writer (a live heap of 107-150 MB with
// 500 devices uploading at once), and it makes garbage of every batch it checks. Measured
// on the serve process (TestLoad, 3,000 DGRA interviews from 500 devices, load 3.5-6.5):
// the collector's CPU (GODEBUG=gctrace=1, summed) 0.71 s with Go's default (100), 0.29 s
// with 200, 0.32 s with 400; peak resident memory 318-363 MiB, 559 MiB, 544-708 MiB. 400
// bought nothing more than 200 for up to 150 MiB more. The limit keeps a server that
// holds far more (large batches) from growing to three times it: near 1 GiB the
// collector runs as often as it must to stay there (the runtime caps it at half the CPU).
func serveGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(serveGCPercent)
	debug.SetMemoryLimit(serveMemoryLimit)
}

func runServe(ctx context.Context, g *globals, opts serveOptions) error {
	if (opts.tlsCert == "") != (opts.tlsKey == "") {
		return fail("--tls-cert and --tls-key go together", "--tls-cert và --tls-key phải đi cùng nhau")
	}
	var h slog.Handler
	switch opts.logFormat {
	case "json":
		h = slog.NewJSONHandler(g.stderr, nil)
	case "text":
		h = slog.NewTextHandler(g.stderr, nil)
	default:
		return fail("--log-format is json or text, not %q", "--log-format là json hoặc text, không phải %q", opts.logFormat)
	}
	if opts.minFree < 0 || opts.minRate < 0 {
		return fail("--min-free-bytes and --min-upload-rate are 0 or more", "--min-free-bytes và --min-upload-rate phải từ 0 trở lên")
	}
	log := slog.New(h)
	serveGC()
	database := serverDatabase(g, opts.database)
	st, key, err := openServerData(ctx, g, opts.data, database, true)
	if err != nil {
		return err
	}
	defer st.Close()
	// The server key also decrypts batches encrypted to it (an ssh-ed25519 age recipient).
	var ids []age.Identity
	if data, err := os.ReadFile(key.path); err == nil {
		ids, _ = keys.ParseIdentities(data)
	}
	known, err := server.BundledKnown()
	if err != nil {
		return err
	}
	dataDir := opts.data
	if database != "" {
		dataDir = "" // the store is not in the data folder: /healthz checks the database answers
	}
	srv, err := server.New(server.Config{Store: st, Key: key.signer, Identities: ids, Known: known, Logger: log,
		MaxBatchBytes: opts.maxBatch, ShutdownTimeout: opts.shutdown, DataDir: dataDir, MinFreeBytes: opts.minFree, MinUploadRate: opts.minRate})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return withHint(failWrap(err, "listen on %s", "lắng nghe tại %s", opts.addr),
			"choose another address with --addr, or stop what uses this one",
			"chọn địa chỉ khác bằng --addr, hoặc dừng chương trình đang dùng địa chỉ này")
	}
	addr := ln.Addr().String()
	if opts.addrFile != "" {
		if err := writeFileAtomic(opts.addrFile, []byte(addr+"\n"), 0o644); err != nil {
			ln.Close()
			return failWrap(err, "write --addr-file", "ghi --addr-file")
		}
	}
	// Give the shutdown its time before main's interrupt grace ends the process.
	interruptGrace.Store(int64(opts.shutdown + 5*time.Second))
	scheme := "http"
	if opts.tlsCert != "" {
		scheme = "https"
	}
	store := "sqlite"
	if database != "" {
		store = "postgres"
	}
	log.Info("serving", "url", fmt.Sprintf("%s://%s", scheme, addr), "data", opts.data, "store", store,
		"key", srv.Fingerprint(), "protocol", "v1", "max_batch_bytes", opts.maxBatch)
	if err := srv.Serve(ctx, ln, opts.tlsCert, opts.tlsKey); err != nil {
		return failWrap(err, "serve", "phục vụ")
	}
	return nil
}
