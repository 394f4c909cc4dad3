package questionnaires

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// ContentOf names the content of q: the first 16 bytes of the SHA-256 of its JSON, in hex.
// A progress counted with one content is counted again under another (a questionnaire
// changed without a new version): the reading commands (`interview list`) and the server,
// which counts the progress of the interviews it stores for them (PostgreSQL), name a
// questionnaire the same way, so that what one counted the other can use.
func ContentOf(q *survey.Questionnaire) (string, error) {
	b, err := json.Marshal(q)
	if err != nil {
		return "", fmt.Errorf("questionnaire %s %s: %w", q.ID, q.Version, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}
