package fullauth_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowedImports is the import policy of DESIGN §4.2: for each package, the
// non-standard-library packages it may import (a trailing "/" allows a
// whole tree). Arrows point one way only: leaves, then the root, then the
// backends, then HTTP, then the command. Edit it as a decision, never to
// make a build pass.
var allowedImports = map[string][]string{
	"github.com/fullauth/fullauth/password":  {"golang.org/x/crypto/"},
	"github.com/fullauth/fullauth/token":     {},
	"github.com/fullauth/fullauth":           {"github.com/fullauth/fullauth/password", "github.com/fullauth/fullauth/token"},
	"github.com/fullauth/fullauth/memstore":  {"github.com/fullauth/fullauth"},
	"github.com/fullauth/fullauth/sqlstore":  {"github.com/fullauth/fullauth"},
	"github.com/fullauth/fullauth/storetest": {"github.com/fullauth/fullauth"},
	"github.com/fullauth/fullauth/authhttp":  {"github.com/fullauth/fullauth", "github.com/fullauth/fullauth/token"},
	"github.com/fullauth/fullauth/rediskv":   {"github.com/fullauth/fullauth", "github.com/redis/go-redis/v9"},
}

// TestImportPolicy checks every library package's non-test imports against
// allowedImports. New packages must be added to the table.
func TestImportPolicy(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p.ImportPath, "/cmd/") || strings.Contains(p.ImportPath, "/internal/") {
			continue
		}
		allowed, ok := allowedImports[p.ImportPath]
		if !ok {
			t.Errorf("package %s is not in the import policy (deps_test.go)", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if isStd(imp) {
				continue
			}
			if !slices.ContainsFunc(allowed, func(a string) bool {
				return imp == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a))
			}) {
				t.Errorf("%s imports %s, which the policy forbids", p.ImportPath, imp)
			}
		}
	}
}

// isStd reports whether an import path is in the standard library: its
// first element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
