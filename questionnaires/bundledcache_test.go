package questionnaires

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"testing"
)

// TestBundledCache checks that every bundled questionnaire has its cache file, made from
// its current YAML, and that reading it gives exactly the questionnaire parsing the YAML
// gives. FIELDSURVEY_WRITE_BUNDLED_CACHE=1 go test ./questionnaires -run TestBundledCache
// makes the cache files again (after a bundled questionnaire changed).
func TestBundledCache(t *testing.T) {
	files, err := fs.ReadDir(bundled, "bundled")
	if err != nil {
		t.Fatal(err)
	}
	write := os.Getenv("FIELDSURVEY_WRITE_BUNDLED_CACHE") != ""
	for _, f := range files {
		name := f.Name()
		data, err := bundled.ReadFile(path.Join("bundled", name))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := Parse(name, data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := cacheOf(parsed, data)
		if err != nil {
			t.Fatal(err)
		}
		if write {
			if err := os.WriteFile(filepath.Join("bundledcache", name+".json"), want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := bundledCache.ReadFile("bundledcache/" + name + ".json")
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("bundledcache/%s.json is missing or was not made from the current bundled/%s (commands then read the slower YAML): run FIELDSURVEY_WRITE_BUNDLED_CACHE=1 go test ./questionnaires -run TestBundledCache", name, name)
			continue
		}
		cached, ok := fromCache(name, data)
		if !ok {
			t.Errorf("%s: its cache file is not used", name)
			continue
		}
		if !reflect.DeepEqual(cached, parsed) {
			t.Errorf("%s: the questionnaire read from the cache differs from the one parsed from the YAML", name)
		}
	}
}

// TestStaleBundledCacheIsNotUsed checks that a cache file made from other YAML than the
// embedded one is ignored.
func TestStaleBundledCacheIsNotUsed(t *testing.T) {
	data, err := bundled.ReadFile("bundled/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edited := append(bytes.Clone(data), []byte("\n# edited\n")...)
	if _, ok := fromCache("example.yaml", edited); ok {
		t.Error("the cache of example.yaml was used for YAML it was not made from")
	}
	if _, ok := fromCache("example.yaml", data); !ok {
		t.Error("the cache of example.yaml was not used for the YAML it was made from")
	}
}
