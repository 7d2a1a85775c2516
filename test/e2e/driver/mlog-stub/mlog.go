// Package mlog stands in for monis.app/mlog, which the Go module proxy here does not serve (403).
//
// The driver's pkg/secrets-store imports it in one place, server.go, to end the process when its own
// CSI gRPC server fails to start: code the harness never runs. The provider client path
// (PluginClientBuilder, MountContent, fileutil.WritePayloads) does not touch it, so only the symbol
// that package needs is provided, with the same effect: log the error and exit 1.
package mlog

import (
	"fmt"
	"os"
)

// Fatal logs err with its key/value pairs and exits with status 1.
func Fatal(err error, keysAndValues ...any) {
	fmt.Fprintln(os.Stderr, append([]any{"fatal:", err}, keysAndValues...)...)
	os.Exit(1)
}
