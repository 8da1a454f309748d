package testbed

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README and docs/ name files and make targets; a name that does not
// exist is a statement the repository contradicts. These tests read every
// Markdown file and check each relative link and each `make X` against the
// tree and the Makefile.

var (
	mdLink     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	makeCall   = regexp.MustCompile("`make ([a-z][a-z0-9-]*)(?: [A-Z][A-Z_]*=[^`]*)?`")
	makeTarget = regexp.MustCompile(`(?m)^([a-z][a-z0-9-]*):`)
	mdAnchor   = regexp.MustCompile(`(?m)^#+\s+(.+)$`)
)

// docFiles returns README.md and every Markdown file under docs/, relative
// to the repository root.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md"}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range more {
		rel, _ := filepath.Rel(root, f)
		files = append(files, rel)
	}
	return files
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from testbed/: %v", err)
	}
	return root
}

// anchor turns a Markdown heading into the fragment GitHub gives it.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

func TestDocsRelativeLinksExist(t *testing.T) {
	root := repoRoot(t)
	for _, doc := range docFiles(t, root) {
		text, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(text), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			file := filepath.Join(root, filepath.Dir(doc), path)
			if path == "" {
				file = filepath.Join(root, doc)
			}
			body, err := os.ReadFile(file)
			if err != nil {
				if info, serr := os.Stat(file); serr == nil && info.IsDir() {
					continue
				}
				t.Errorf("%s links to %s: no such file", doc, target)
				continue
			}
			if frag == "" || !strings.HasSuffix(file, ".md") {
				continue
			}
			found := false
			for _, h := range mdAnchor.FindAllStringSubmatch(string(body), -1) {
				if anchor(h[1]) == frag {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s links to %s: no heading gives #%s", doc, target, frag)
			}
		}
	}
}

func TestDocsMakeTargetsExist(t *testing.T) {
	root := repoRoot(t)
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range makeTarget.FindAllStringSubmatch(string(mk), -1) {
		targets[m[1]] = true
	}
	for _, doc := range docFiles(t, root) {
		text, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range makeCall.FindAllStringSubmatch(string(text), -1) {
			if !targets[m[1]] {
				t.Errorf("%s names `make %s`, which the Makefile does not define", doc, m[1])
			}
		}
	}
}

// The Makefile's .PHONY names only targets it defines, and every target
// it defines is phony (none of them makes a file of its name).
func TestMakefilePhonyTargetsExist(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]bool{}
	for _, m := range makeTarget.FindAllStringSubmatch(string(mk), -1) {
		targets[m[1]] = true
	}
	phony := regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindAllStringSubmatch(string(mk), -1)
	if len(phony) == 0 {
		t.Fatal("the Makefile has no .PHONY line")
	}
	listed := map[string]bool{}
	for _, line := range phony {
		for _, name := range strings.Fields(line[1]) {
			listed[name] = true
			if !targets[name] {
				t.Errorf(".PHONY lists %s, which the Makefile does not define", name)
			}
		}
	}
	for name := range targets {
		if !listed[name] {
			t.Errorf("the Makefile defines %s but .PHONY does not list it", name)
		}
	}
}

func TestAnchor(t *testing.T) {
	for in, want := range map[string]string{
		"Keys":                       "keys",
		"A request's life":           "a-requests-life",
		"SQLite and PostgreSQL":      "sqlite-and-postgresql",
		"`make bench` as one report": "make-bench-as-one-report",
	} {
		if got := anchor(in); got != want {
			t.Errorf("anchor(%q) = %q, want %q", in, got, want)
		}
	}
}
