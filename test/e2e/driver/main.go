// Command harness calls a provider exactly as the Secrets Store CSI driver does, using the driver's own
// client code (PluginClientBuilder, MountContent and the atomic writer behind it), and prints JSON.
//
//	harness mount --socket-dir DIR --provider NAME --attributes FILE.json [--secrets FILE.json] --target DIR [--permission 420] [--timeout 2m]
//	harness loop  --socket-dir DIR --provider NAME --attributes FILE.json [--secrets FILE.json] --target DIR --duration 10s --interval 20ms [--timeout 2m]
//
// Exit status 0 means the call was made (the JSON says whether the Mount worked); 2 means misuse.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// options are the flags both modes share, plus the loop's own.
type options struct {
	socketDir  string
	provider   string
	attributes string
	secrets    string
	target     string
	permission uint
	timeout    time.Duration
	duration   time.Duration
	interval   time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "mount" && args[0] != "loop") {
		fmt.Fprintln(stderr, "usage: harness mount|loop --socket-dir DIR --provider NAME --attributes FILE.json [--secrets FILE.json] --target DIR [flags]")
		return 2
	}
	mode := args[0]
	opts, err := parseFlags(mode, args[1:], stderr)
	if err != nil {
		fmt.Fprintf(stderr, "harness %s: %v\n", mode, err)
		return 2
	}
	req, err := readRequest(opts)
	if err != nil {
		fmt.Fprintf(stderr, "harness %s: %v\n", mode, err)
		return 2
	}
	var result any
	if mode == "mount" {
		result = mountOnce(opts, req)
	} else {
		result = mountLoop(opts, req)
	}
	encoder := json.NewEncoder(stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(result); err != nil {
		fmt.Fprintf(stderr, "harness %s: writing the result: %v\n", mode, err)
		return 1
	}
	return 0
}

func parseFlags(mode string, args []string, stderr io.Writer) (options, error) {
	var opts options
	set := flag.NewFlagSet("harness "+mode, flag.ContinueOnError)
	set.SetOutput(stderr)
	set.StringVar(&opts.socketDir, "socket-dir", "", "directory holding <provider>.sock (the driver's --provider-volume)")
	set.StringVar(&opts.provider, "provider", "", "provider name, as in the SecretProviderClass spec.provider")
	set.StringVar(&opts.attributes, "attributes", "", "JSON file: object of strings the driver sends as attributes")
	set.StringVar(&opts.secrets, "secrets", "", "JSON file: nodePublishSecretRef data (object of strings); absent means none")
	set.StringVar(&opts.target, "target", "", "target path the driver writes the files into")
	set.UintVar(&opts.permission, "permission", 0o644, "file permission as a decimal number (the driver sends 420)")
	set.DurationVar(&opts.timeout, "timeout", 2*time.Minute, "deadline of each Mount (kubelet gives NodePublishVolume about two minutes)")
	if mode == "loop" {
		set.DurationVar(&opts.duration, "duration", 10*time.Second, "how long to keep mounting")
		set.DurationVar(&opts.interval, "interval", 20*time.Millisecond, "pause after each Mount")
	}
	if err := set.Parse(args); err != nil {
		return opts, err
	}
	if set.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q", set.Arg(0))
	}
	for name, value := range map[string]string{"--socket-dir": opts.socketDir, "--provider": opts.provider, "--attributes": opts.attributes, "--target": opts.target} {
		if value == "" {
			return opts, fmt.Errorf("%s is required", name)
		}
	}
	if opts.permission > 0o777 {
		return opts, fmt.Errorf("--permission %d is more than 0777", opts.permission)
	}
	return opts, nil
}
