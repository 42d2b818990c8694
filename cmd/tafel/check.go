package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// checkCommands holds the "tafel check WHAT" subcommands. Each check registers
// itself from its own file (init), so checks can be added independently.
var checkCommands = map[string]command{}

func init() { commands["check"] = runCheck }

func runCheck(ctx context.Context, e env) int {
	names := make([]string, 0, len(checkCommands))
	for n := range checkCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintln(e.stderr, e.tr.T("cli.check_usage", map[string]any{"Checks": strings.Join(names, "|")}))
		if len(e.args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := checkCommands[e.args[0]]
	if !ok {
		fmt.Fprintln(e.stderr, e.tr.T("cli.check_unknown", map[string]any{"Check": e.args[0], "Checks": strings.Join(names, "|")}))
		return exitUsage
	}
	sub := e
	sub.args = e.args[1:]
	return cmd(ctx, sub)
}
