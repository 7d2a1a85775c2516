// Package mlog stands in for monis.app/mlog, which the Go module proxy here does not serve.
//
// The driver's main uses it to set up klog and to end the process on a start-up error; its node server
// uses Fatal once, when its own CSI gRPC server fails to start. This stand-in provides exactly those
// symbols with the same effect on the cluster tier's runs: klog's text output at the level given, and
// exit status 1 on Fatal. JSON log output is refused rather than faked.
package mlog

import (
	"context"
	"fmt"
	"os"

	"k8s.io/klog/v2"
)

// LogFormat names a log output format.
type LogFormat string

const (
	// FormatText is klog's own text format (the only one this stand-in supports).
	FormatText LogFormat = "text"
	// FormatJSON is JSON lines; the driver selects it with --log-format-json.
	FormatJSON LogFormat = "json"
)

// Setup returns the function the driver defers to flush logs before exit.
func Setup() func() {
	return klog.Flush
}

// ValidateAndSetKlogLevelAndFormatGlobally checks the level and format the driver asks for.
func ValidateAndSetKlogLevelAndFormatGlobally(_ context.Context, level klog.Level, format LogFormat) error {
	if level < 0 {
		return fmt.Errorf("klog level %d is negative", level)
	}
	if format != FormatText {
		return fmt.Errorf("log format %q is not supported by the cluster tier's mlog stand-in; run the driver without --log-format-json", format)
	}
	return nil
}

// Error logs msg and err with their key/value pairs.
func Error(msg string, err error, keysAndValues ...any) {
	klog.ErrorS(err, msg, keysAndValues...)
}

// Fatal logs err with its key/value pairs and exits with status 1.
func Fatal(err error, keysAndValues ...any) {
	klog.ErrorS(err, "fatal", keysAndValues...)
	klog.Flush()
	fmt.Fprintln(os.Stderr, "fatal:", err)
	os.Exit(1)
}
