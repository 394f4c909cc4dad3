package store

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// Verified is a list of revisions that passed every check Append makes, ready for
// Tx.AppendVerified. Only Verify makes one (the zero value is an empty list): there is no
// way to wrap revisions as Verified without checking them. Verify copies the revisions, so
// nothing the caller does with its own slices afterwards can change what is stored.
//
// It exists so that the checks (hashing every revision and decoding every value) run
// where the caller likes, typically in many goroutines at once, and not inside the one
// write transaction every writer queues for. Verify also keeps what each value
// contributes to the interview's summary row, so the value is decoded once.
type Verified struct {
	revs  []survey.Revision
	facts []fact
}

// Len returns the number of revisions.
func (v Verified) Len() int { return len(v.revs) }

// Revisions returns a copy of the revisions, in the order given to Verify.
func (v Verified) Revisions() []survey.Revision {
	out := make([]survey.Revision, len(v.revs))
	for i, r := range v.revs {
		r.Value = slices.Clone(r.Value)
		r.Replaces = slices.Clone(r.Replaces)
		out[i] = r
	}
	return out
}

// Interviews returns the ids of the interviews the revisions belong to, sorted, each once.
func (v Verified) Interviews() []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range v.revs {
		if !seen[r.Interview] {
			seen[r.Interview] = true
			out = append(out, r.Interview)
		}
	}
	slices.Sort(out)
	return out
}

// Verify checks revisions made elsewhere as Append does: each is well formed and its id
// is the hash of its content (survey.Revision.Verify), what it replaces are revision ids,
// its value decodes as a value of its kind (as survey.Fold will decode it), and its
// counter fits the database. The first failure is returned, wrapping
// survey.ErrBadRevision or survey.ErrBadRevisionID; otherwise the revisions come back as
// Verified, copied.
func Verify(revs ...survey.Revision) (Verified, error) {
	return verify(revs, 1, true)
}

// batchSpotCheck is how often VerifyBatchRevisions recomputes an id: the first revision
// and every 16th after it.
const batchSpotCheck = 16

// VerifyBatchRevisions is Verify for the revisions of a batch exactly as sync/batch's
// Batch.Revisions returned them. That reader has already checked every revision with
// survey.Revision.Verify (its form, and its id against the hash of its content) and
// refuses the whole batch if one fails, so this does not hash every revision again: it
// recomputes the id of the first revision and of every 16th (a caller handing it anything
// else is caught at once, not after the fact), and makes every other check of Verify on
// all of them. Revisions from anywhere else go through Verify.
//
// Unlike Verify, it takes the revisions over instead of copying them (the reader made
// them for the caller alone, and a server checks thousands a second): the caller must not
// change revs, their values or what they replace afterwards.
func VerifyBatchRevisions(revs ...survey.Revision) (Verified, error) {
	return verify(revs, batchSpotCheck, false)
}

// verify checks revs as Verify does, computing the id of every every-th revision (and
// the form of all), with copies of revs or (copied false) revs themselves.
func verify(revs []survey.Revision, every int, copied bool) (Verified, error) {
	var arena []byte
	v := Verified{revs: revs, facts: make([]fact, len(revs))}
	if copied {
		size := 0
		for _, r := range revs {
			size += len(r.Value)
		}
		// One block for every value, each sub-slice capped so that none can grow into the
		// next.
		arena = make([]byte, 0, size)
		v.revs = make([]survey.Revision, len(revs))
	}
	for i, r := range revs {
		// bad places err, in every language, on the revision: "revision 3 of 118 (…): …".
		bad := func(err error) error {
			return survey.StepErr(err, "revision %d of %d (%s)", "thay đổi %d/%d (%s)", i+1, len(revs), shortID(r.ID))
		}
		if copied {
			start := len(arena)
			arena = append(arena, r.Value...)
			r.Value = arena[start:len(arena):len(arena)]
			r.Replaces = slices.Clone(r.Replaces)
		}
		if i%every == 0 {
			if err := r.Verify(); err != nil {
				return Verified{}, bad(err)
			}
		} else if err := checkForm(r); err != nil {
			return Verified{}, bad(err)
		}
		if r.Counter > 1<<63-1 {
			return Verified{}, bad(survey.BadRevision("counter %d out of range", "số đếm %d vượt quá giới hạn", r.Counter))
		}
		for _, p := range r.Replaces {
			if !isRevID(p) {
				return Verified{}, bad(survey.BadRevision("replaces %q, which is not a revision id", "thay thế %q, vốn không phải mã thay đổi", p))
			}
		}
		f, err := decodeFact(r.Kind, r.Value, r.Author)
		if err != nil {
			why := survey.JSONErrorText(err)
			return Verified{}, bad(survey.BadRevision("%[1]s value does not decode: %[2]s", "giá trị %[1]s không giải mã được: %[3]s", r.Kind, why.Get(survey.LangEN), why.Get(survey.LangVI)))
		}
		if copied {
			v.revs[i] = r
		}
		v.facts[i] = f
	}
	return v, nil
}

// checkForm makes the checks of survey.Revision.Verify other than the id's hash
// (Revision.CheckForm), and that the id has the form of one.
func checkForm(r survey.Revision) error {
	if err := r.CheckForm(); err != nil {
		return err
	}
	if !isRevID(r.ID) {
		return survey.BadRevision("id %q is not a revision id", "mã %q không phải mã thay đổi", shortID(r.ID))
	}
	return nil
}

// fact is what one revision's value contributes to its interview's summary row (the
// fields applyTarget reads), decoded once.
type fact struct {
	questionnaire, version, assessor string // interview
	assignee, due, note              string // interview: a planned one's
	agency, province, role, category string // respondent
	status                           survey.Status
	reason                           string      // status
	answered                         bool        // answer: it has a value (Answer.HasValue)
	rating                           survey.Code // section: the confirmed rating
	title, scope                     string      // assessment
}

// decodeFact checks that v decodes as the value of a revision of kind k, as survey.Fold
// will decode it, and returns what it contributes (made by author) to its interview's
// summary. Answers and section summaries in the layout json.Marshal writes are read by
// scanAnswer and scanSection, which check them without decoding every string; anything
// else goes through encoding/json.
func decodeFact(k survey.Kind, v json.RawMessage, author string) (fact, error) {
	var f fact
	switch k {
	case survey.KindInterview:
		var m survey.InterviewMeta
		if err := json.Unmarshal(v, &m); err != nil {
			return f, err
		}
		f.questionnaire, f.version, f.assessor = m.Questionnaire, m.QuestionnaireVersion, m.AssessorOr(author)
		f.assignee, f.due, f.note = m.Assignee, m.Due, m.Note
	case survey.KindRespondent:
		var r survey.Respondent
		if err := json.Unmarshal(v, &r); err != nil {
			return f, err
		}
		f.agency, f.province, f.role, f.category = r.Agency, r.Province, r.Role, r.Category
	case survey.KindStatus:
		var st survey.StatusChange
		if err := json.Unmarshal(v, &st); err != nil {
			return f, err
		}
		f.status, f.reason = st.Status, st.Reason
	case survey.KindAnswer:
		if answered, ok := scanAnswer(v); ok {
			f.answered = answered
			break
		}
		var a survey.Answer
		if err := json.Unmarshal(v, &a); err != nil {
			return f, err
		}
		f.answered = a.HasValue()
	case survey.KindSection:
		if rating, ok := scanSection(v); ok {
			f.rating = rating
			break
		}
		var s survey.SectionSummary
		if err := json.Unmarshal(v, &s); err != nil {
			return f, err
		}
		f.rating = s.Rating
	case survey.KindRow:
		var r survey.RosterRow
		if err := json.Unmarshal(v, &r); err != nil {
			return f, err
		}
	case survey.KindAssessment:
		var m survey.AssessmentMeta
		if err := json.Unmarshal(v, &m); err != nil {
			return f, err
		}
		f.questionnaire, f.version, f.assessor, f.title, f.scope = m.Questionnaire, m.QuestionnaireVersion, m.Author, m.Title, m.Scope
	case survey.KindText:
		var t survey.TextValue
		if err := json.Unmarshal(v, &t); err != nil {
			return f, err
		}
	case survey.KindAction:
		var a survey.ActionItem
		if err := json.Unmarshal(v, &a); err != nil {
			return f, err
		}
	case survey.KindDataset:
		var d survey.DatasetRow
		if err := json.Unmarshal(v, &d); err != nil {
			return f, err
		}
	default:
		return f, fmt.Errorf("unknown kind %q", k)
	}
	return f, nil
}

// checkValue reports whether v decodes as the value of a revision of kind k, as
// survey.Fold will decode it.
func checkValue(k survey.Kind, v json.RawMessage) error {
	_, err := decodeFact(k, v, "")
	return err
}
