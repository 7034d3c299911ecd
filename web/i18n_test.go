package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kefu"
)

// Both languages say everything: a key missing from one would show the page's
// raw key to its readers.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	for lang, words := range catalog {
		for other, theirs := range catalog {
			for key := range words {
				if _, ok := theirs[key]; !ok {
					t.Errorf("%q is in %s but not in %s", key, lang, other)
				}
			}
		}
	}
}

// Every refusal key the code gives (WithKey in desk and web, and the reply
// window's) is said in both languages.
func TestRefusalKeysAreTranslated(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("../desk/*.go")
	withKey := regexp.MustCompile(`WithKey\("([a-z_]+)"\)`)
	keys := []string{"quota_" + string(kefu.RuleWindow), "quota_" + string(kefu.RuleCount)}
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range withKey.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d keys: %v", len(keys), keys)
	}
	for _, k := range keys {
		for lang, words := range catalog {
			if words["err_"+k] == "" {
				t.Errorf("err_%s is missing in %s", k, lang)
			}
		}
	}
}
