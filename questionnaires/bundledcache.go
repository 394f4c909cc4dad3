package questionnaires

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"

	"github.com/fieldsurvey/fieldsurvey/survey"
)

// The bundled questionnaires are also kept decoded, as JSON (bundledcache/NAME.json, made
// from bundled/NAME by TestBundledCache): decoding JSON costs a fraction of decoding the
// YAML, which every command that needs a bundled questionnaire paid at start-up. A cache
// file names the SHA-256 of the YAML it was made from and is used only when that is the
// embedded YAML's, so an edited questionnaire whose cache was not made again is read from
// its YAML (slower, never wrong); TestBundledCache fails until it is made again.
//
//go:embed bundledcache/*.json
var bundledCache embed.FS

// cacheFile is one file of bundledcache.
type cacheFile struct {
	Source        string                `json:"source_sha256"`
	Questionnaire *survey.Questionnaire `json:"questionnaire"`
}

// fromCache returns the questionnaire of bundled file name, whose YAML is data, from its
// cache file, validated again (which builds its indexes and compiles its expressions);
// false when there is no cache file made from data.
func fromCache(name string, data []byte) (*survey.Questionnaire, bool) {
	b, err := bundledCache.ReadFile("bundledcache/" + name + ".json")
	if err != nil {
		return nil, false
	}
	var c cacheFile
	if err := json.Unmarshal(b, &c); err != nil || c.Source != sourceSum(data) || c.Questionnaire == nil {
		return nil, false
	}
	if err := c.Questionnaire.Validate(); err != nil {
		return nil, false
	}
	return c.Questionnaire, true
}

// cacheOf returns the cache file of the bundled questionnaire q parsed from data.
func cacheOf(q *survey.Questionnaire, data []byte) ([]byte, error) {
	b, err := json.Marshal(cacheFile{Source: sourceSum(data), Questionnaire: q})
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func sourceSum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
