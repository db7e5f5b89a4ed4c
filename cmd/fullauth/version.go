package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

const versionUsage = `Usage: fullauth version

Prints the version of this build.
`

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version")
	if err := parseFlags(fs, versionUsage, args, stdout, stderr); err != nil {
		return err
	}
	_, err := fmt.Fprintf(stdout, "fullauth %s\n", version())
	return err
}

// version is the module version of this build, else its VCS revision
// (with "-dirty" for uncommitted changes), else "devel".
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}
