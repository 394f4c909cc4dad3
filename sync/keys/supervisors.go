package keys

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// ReadSignerLines returns the lines of r that are neither empty nor comments (#), trimmed:
// allowed_signers lines given on stdin.
func ReadSignerLines(r io.Reader) ([]string, error) {
	var lines []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}

// LineError is a supervisor's line refused by CheckSupervisorLines: what is wrong with which
// line (Msg), the cause (Err, may be nil) and what to do (Hint, may be empty), in every
// language.
type LineError = survey.UserError

// CheckSupervisorLines checks lines as a supervisor's allowed_signers lines that a device
// may trust for batches signed in namespace: each one line with one principal and an
// ssh-ed25519 key, not a cert-authority, not limited to other namespaces, and not the
// device's own key (own, a fingerprint; "" when the device has none). It returns the
// parsed lines, or a *LineError naming the first line refused ("the line", or "line N" of
// several).
func CheckSupervisorLines(lines []string, namespace, own string) ([]AllowedSigner, error) {
	out := make([]AllowedSigner, 0, len(lines))
	for i, l := range lines {
		// where names the line in English and Vietnamese: "the line", or "line 2" of several.
		where, whereVI := "the line", "dòng"
		if len(lines) > 1 {
			where, whereVI = fmt.Sprintf("line %d", i+1), fmt.Sprintf("dòng %d", i+1)
		}
		refuse := func(err error, en, vi string, args ...any) *LineError {
			args = append([]any{where, whereVI}, args...)
			return &LineError{Msg: survey.T(fmt.Sprintf(en, args...), fmt.Sprintf(vi, args...)), Err: err}
		}
		as, err := ParseAllowedSigners(strings.NewReader(l))
		if err == nil && len(as.Signers) != 1 {
			err = fmt.Errorf("expected one line")
		}
		if err != nil {
			e := refuse(err, "%[1]s is not an allowed_signers line", "%[2]s không phải là dòng allowed_signers")
			e.Hint = survey.T("give the line the supervisor's 'fieldsurvey identity' prints: principal namespaces=\"fieldsurvey-batch\" ssh-ed25519 AAAA…",
				"hãy đưa dòng mà lệnh 'fieldsurvey identity' của người giám sát in ra: danh-tính namespaces=\"fieldsurvey-batch\" ssh-ed25519 AAAA…")
			return nil, e
		}
		s := as.Signers[0]
		fp := Fingerprint(s.Key)
		switch {
		case s.Key.Type() != ssh.KeyAlgoED25519:
			return nil, refuse(nil, "%[1]s holds a %[3]s key; fieldsurvey supervisors sign with Ed25519 keys (ssh-ed25519)",
				"%[2]s chứa khoá %[3]s; người giám sát của fieldsurvey ký bằng khoá Ed25519 (ssh-ed25519)", s.Key.Type())
		case s.CertAuthority:
			return nil, refuse(nil, "%[1]s is a cert-authority line; fieldsurvey trusts keys, not certificates",
				"%[2]s là dòng cert-authority; fieldsurvey tin cậy khoá, không dùng chứng chỉ")
		case len(s.Namespaces) > 0 && !MatchPrincipal(s.Namespaces, namespace):
			return nil, refuse(nil, "%[1]s limits the key to namespaces %[3]s, which leave out %[4]s: it would trust nothing",
				"%[2]s giới hạn khoá trong không gian tên %[3]s, không gồm %[4]s: dòng này không tin cậy gì cả", strings.Join(s.Namespaces, ","), namespace)
		case fp == own:
			e := refuse(nil, "%[1]s holds this device's own key (%[3]s)", "%[2]s chứa khoá của chính thiết bị này (%[3]s)", fp)
			e.Hint = survey.T("run 'fieldsurvey identity' on the supervisor's home and add the line it prints",
				"chạy 'fieldsurvey identity' trên thư mục của người giám sát rồi thêm dòng mà lệnh đó in ra")
			return nil, e
		}
		out = append(out, s)
	}
	return out, nil
}

// Supervisor is one line TrustSupervisors handled: its principals (joined by commas), its
// key's fingerprint, and whether it was added (false: the file had it already).
type Supervisor struct {
	Principals  string
	Fingerprint string
	Added       bool
}

// TrustSupervisors checks every line (CheckSupervisorLines) before it adds any, then adds
// each to the allowed_signers file at path (AddSignerLine: before the block a server
// manages, mode 0600) unless the file has it already.
func TrustSupervisors(path string, lines []string, namespace, own string) ([]Supervisor, error) {
	signers, err := CheckSupervisorLines(lines, namespace, own)
	if err != nil {
		return nil, err
	}
	out := make([]Supervisor, 0, len(lines))
	for i, l := range lines {
		added, err := AddSignerLine(path, l)
		if err != nil {
			return out, err
		}
		out = append(out, Supervisor{Principals: strings.Join(signers[i].Principals, ","), Fingerprint: Fingerprint(signers[i].Key), Added: added})
	}
	return out, nil
}
