// Package usb is how a home takes in batch files carried by hand (a USB stick, a shared
// folder): which keys it trusts, for what, and why it refuses a batch. A home is an
// assessor's laptop or a supervisor's desk; both merge into their own store, a hub
// (survey/store with the tables of sync/hub).
//
// The rules (Policy):
//   - A laptop takes batches signed by the supervisors it trusts (its trusted_supervisors
//     file: lines added by hand with `fieldsurvey trust add`, and those the server it is
//     enrolled with vouches for). Every such signer decides: its approvals, returns and
//     reopenings are accepted.
//   - A supervisor's desk takes batches signed by the laptops of its allowed_signers file
//     and by the supervisors of its trusted_supervisors file. Only the latter decide: a
//     batch of a laptop's key that approves, returns or reopens is refused whole.
//   - Everywhere, a batch carries only its signer's own revisions (hub.Options
//     OwnRevisionsOnly): what others recorded travels in their own signed batches.
//   - A home's own batch merged back is refused (Policy.Device), and so is a signer the
//     home trusted once (it merged batches of that key) but no longer: revoked, said as
//     such rather than as an unknown signer.
//
// A refused batch adds nothing (see sync/hub). Revisions of an interview the home does
// not hold (a supervisor's decision on another laptop's interview) are kept: they take
// effect when the interview arrives.
//
// Files merges batch files in groups; Verify checks batch files as a merge would without
// changing anything (`batch verify`); Inspect reads what batch files say they hold without
// trusting it (`batch inspect`); BatchFiles expands the names given on a command line
// (a folder: its *.fsbatch files).
package usb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"

	"github.com/fieldsurvey/fieldsurvey/survey"
	"github.com/fieldsurvey/fieldsurvey/sync/batch"
	"github.com/fieldsurvey/fieldsurvey/sync/hub"
	"github.com/fieldsurvey/fieldsurvey/sync/keys"
)

// The home's own reasons to refuse a batch; test with errors.Is. ErrNotTrusted and
// ErrRevoked also match batch.ErrUnknownSigner.
var (
	// ErrOwnBatch: the batch was made by this very device.
	ErrOwnBatch = errors.New("this device's own batch")
	// ErrNotTrusted: a laptop does not trust the signer as a supervisor.
	ErrNotTrusted = errors.New("not a trusted supervisor")
	// ErrRevoked: the home merged batches of the signer's key before, and no longer trusts
	// it.
	ErrRevoked = errors.New("signer no longer trusted")
)

// Refusal is a batch refused by a home's rules, with what to do in every language.
type Refusal struct {
	Class  error // ErrOwnBatch, ErrNotTrusted or ErrRevoked
	Detail survey.Text
	Err    error // the check of package batch that failed, if any
}

func (r *Refusal) Error() string { return r.Class.Error() + ": " + r.Detail.Get(survey.LangEN) }

// Unwrap returns the class and the underlying error.
func (r *Refusal) Unwrap() []error {
	if r.Err == nil {
		return []error{r.Class}
	}
	return []error{r.Class, r.Err}
}

// Policy is what a home trusts.
type Policy struct {
	// Role is the home's.
	Role survey.Role
	// Device is the home's device id: a batch of this device is refused.
	Device string
	// Supervisors is the home's trusted_supervisors file: on a laptop the only signers
	// taken, on a supervisor's desk the other supervisors, whose decisions are accepted.
	Supervisors *keys.AllowedSigners
	// Devices is a supervisor's allowed_signers file: the laptops whose batches it takes.
	// A laptop ignores it.
	Devices *keys.AllowedSigners
	// Identities decrypt encrypted payloads.
	Identities []age.Identity
	// Known reports whether a questionnaire version is known here.
	Known func(batch.QuestionnaireRef) bool
	// Now is the clock of the validity periods of allowed_signers lines (nil: time.Now).
	Now func() time.Time
}

func (p Policy) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Options returns the checks of sync/hub that carry the policy.
func (p Policy) Options() hub.Options {
	sup := p.Supervisors
	if sup == nil {
		sup = &keys.AllowedSigners{}
	}
	o := hub.Options{Identities: p.Identities, Known: p.Known, OwnRevisionsOnly: true}
	if !p.Role.Decides() {
		o.Signers = sup
		o.Role = func(string, ssh.PublicKey) survey.Role { return survey.RoleSupervisor }
		return o
	}
	all := &keys.AllowedSigners{}
	if p.Devices != nil {
		all.Signers = append(all.Signers, p.Devices.Signers...)
	}
	all.Signers = append(all.Signers, sup.Signers...)
	o.Signers = all
	o.Role = func(principal string, key ssh.PublicKey) survey.Role {
		if sup.Check(key, principal, batch.Namespace, p.now()) == nil {
			return survey.RoleSupervisor
		}
		return survey.RoleAssessor
	}
	return o
}

// Merge merges b into h under the policy. As hub.MergeOne, a refusal is in the result and
// the error is for the hub's own failures.
func (p Policy) Merge(ctx context.Context, h *hub.Hub, b *batch.Batch) (hub.Result, error) {
	m := &b.Manifest
	if p.Device != "" && m.Device == p.Device {
		return hub.Result{ID: m.ID, Device: m.Device, Sequence: m.Sequence, Signer: m.Signer, Rejected: &Refusal{Class: ErrOwnBatch,
			Detail: survey.T(fmt.Sprintf("batch %d was made on this device (%s) by 'fieldsurvey batch create'; merge takes in the batches of other devices", m.Sequence, m.Device),
				fmt.Sprintf("lô %d được tạo trên chính thiết bị này (%s) bằng 'fieldsurvey batch create'; merge chỉ nhận lô dữ liệu của các thiết bị khác", m.Sequence, m.Device))}}, nil
	}
	res, err := h.MergeOne(ctx, b, p.Options())
	if err != nil || res.Rejected == nil || !errors.Is(res.Rejected, batch.ErrUnknownSigner) {
		return res, err
	}
	res.Rejected, err = p.explainSigner(ctx, h, b, res.Rejected)
	return res, err
}

// explainSigner says, for a signer the policy does not trust, whether it is one the home
// trusted before (revoked) or, on a laptop, that it is not a trusted supervisor.
func (p Policy) explainSigner(ctx context.Context, h *hub.Hub, b *batch.Batch, cause error) (error, error) {
	m := &b.Manifest
	fp := keys.Fingerprint(b.SignerKey())
	devs, err := h.Devices(ctx)
	if err != nil {
		return cause, err
	}
	file, fileVI := "trusted_supervisors", "trusted_supervisors"
	if p.Role.Decides() {
		file, fileVI = "allowed_signers or trusted_supervisors", "allowed_signers hoặc trusted_supervisors"
	}
	for _, d := range devs {
		if d.Key != fp {
			continue
		}
		return &Refusal{Class: ErrRevoked, Err: cause, Detail: survey.T(
			fmt.Sprintf("%q (key %s) is no longer in %s: this home merged %d batches of it before (device %s, last on %s), and has stopped trusting it; nothing of this batch is stored",
				m.Signer, fp, file, d.Batches, d.ID, d.Last.Format(time.DateOnly)),
			fmt.Sprintf("%q (khoá %s) không còn trong %s: thư mục này đã hợp nhất %d lô của khoá đó (thiết bị %s, lần cuối ngày %s) và đã thôi tin cậy nó; không lưu gì từ lô này",
				m.Signer, fp, fileVI, d.Batches, d.ID, d.Last.Format(time.DateOnly)))}, nil
	}
	if p.Role.Decides() {
		return cause, nil // the plain unknown signer of package batch says it
	}
	return &Refusal{Class: ErrNotTrusted, Err: cause, Detail: survey.T(
		fmt.Sprintf("%q (key %s) is not in this device's trusted_supervisors; 'fieldsurvey trust add LINE' trusts a supervisor, with the line their 'fieldsurvey identity' prints",
			m.Signer, fp),
		fmt.Sprintf("%q (khoá %s) không có trong trusted_supervisors của thiết bị này; 'fieldsurvey trust add DÒNG' thêm người giám sát được tin cậy, với dòng mà lệnh 'fieldsurvey identity' của họ in ra",
			m.Signer, fp))}, nil
}

// Explain splits a refusal into the check that failed and the details, in every language:
// the home's own reasons, else those of sync/hub.
func Explain(err error) (reason, detail survey.Text) {
	var r *Refusal
	if errors.As(err, &r) {
		switch {
		case errors.Is(r.Class, ErrOwnBatch):
			reason = survey.T("this device's own batch", "lô của chính thiết bị này")
		case errors.Is(r.Class, ErrNotTrusted):
			reason = survey.T("not a trusted supervisor", "không phải người giám sát được tin cậy")
		case errors.Is(r.Class, ErrRevoked):
			reason = survey.T("signer no longer trusted", "người ký không còn được tin cậy")
		}
		return reason, r.Detail
	}
	return hub.Describe(err)
}
