// Command kubelet-csi drives a CSI node plugin the way kubelet does for an inline CSI volume: it calls
// NodePublishVolume and NodeUnpublishVolume on the plugin's Unix socket and prints one JSON object.
//
//	kubelet-csi publish   --endpoint SOCKET --volume-id ID --target DIR --context FILE.json [--secrets FILE.json] [--timeout 2m]
//	kubelet-csi unpublish --endpoint SOCKET --volume-id ID --target DIR [--timeout 2m]
//	kubelet-csi loop      --endpoint SOCKET --volume-id ID --target DIR --context FILE.json --duration 10s --interval 50ms
//
// Exit status 0 means the calls were made (the JSON says how they ended); 2 means misuse.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// options are the flags of every mode.
type options struct {
	endpoint string
	volumeID string
	target   string
	context  string
	secrets  string
	timeout  time.Duration
	duration time.Duration
	interval time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "publish" && args[0] != "unpublish" && args[0] != "loop") {
		fmt.Fprintln(stderr, "usage: kubelet-csi publish|unpublish|loop --endpoint SOCKET --volume-id ID --target DIR [flags]")
		return 2
	}
	mode := args[0]
	opts, err := parseFlags(mode, args[1:], stderr)
	if err != nil {
		fmt.Fprintf(stderr, "kubelet-csi %s: %v\n", mode, err)
		return 2
	}
	node, err := dial(opts.endpoint)
	if err != nil {
		fmt.Fprintf(stderr, "kubelet-csi %s: %v\n", mode, err)
		return 2
	}
	defer node.close()
	var result any
	switch mode {
	case "unpublish":
		result = node.unpublish(opts)
	default:
		req, err := readPublishInput(opts)
		if err != nil {
			fmt.Fprintf(stderr, "kubelet-csi %s: %v\n", mode, err)
			return 2
		}
		if mode == "publish" {
			result = node.publish(opts, req)
		} else {
			result = node.loop(opts, req)
		}
	}
	if err := json.NewEncoder(stdout).Encode(result); err != nil {
		fmt.Fprintf(stderr, "kubelet-csi %s: writing the result: %v\n", mode, err)
		return 1
	}
	return 0
}

func parseFlags(mode string, args []string, stderr io.Writer) (options, error) {
	var opts options
	set := flag.NewFlagSet("kubelet-csi "+mode, flag.ContinueOnError)
	set.SetOutput(stderr)
	set.StringVar(&opts.endpoint, "endpoint", "", "the plugin's Unix socket (its --endpoint without unix://)")
	set.StringVar(&opts.volumeID, "volume-id", "", "volume handle (kubelet derives one per pod and inline volume)")
	set.StringVar(&opts.target, "target", "", "target path: <kubelet dir>/pods/<uid>/volumes/kubernetes.io~csi/<volume>/mount")
	set.DurationVar(&opts.timeout, "timeout", 2*time.Minute, "deadline of each call (kubelet gives a mount about two minutes)")
	if mode != "unpublish" {
		set.StringVar(&opts.context, "context", "", "JSON file: the volume context (object of strings) kubelet sends")
		set.StringVar(&opts.secrets, "secrets", "", "JSON file: nodePublishSecretRef data (object of strings); absent means none")
	}
	if mode == "loop" {
		set.DurationVar(&opts.duration, "duration", 10*time.Second, "how long to keep publishing and unpublishing")
		set.DurationVar(&opts.interval, "interval", 50*time.Millisecond, "pause after each publish/unpublish pair")
	}
	if err := set.Parse(args); err != nil {
		return opts, err
	}
	if set.NArg() > 0 {
		return opts, fmt.Errorf("unexpected argument %q", set.Arg(0))
	}
	required := map[string]string{"--endpoint": opts.endpoint, "--volume-id": opts.volumeID, "--target": opts.target}
	if mode != "unpublish" {
		required["--context"] = opts.context
	}
	for name, value := range required {
		if value == "" {
			return opts, fmt.Errorf("%s is required", name)
		}
	}
	return opts, nil
}

// readPublishInput reads the volume context and the optional secrets, each a JSON object of strings.
func readPublishInput(opts options) (publishInput, error) {
	var input publishInput
	var err error
	if input.volumeContext, err = readStringMap(opts.context); err != nil {
		return input, err
	}
	if opts.secrets != "" {
		if input.secrets, err = readStringMap(opts.secrets); err != nil {
			return input, err
		}
	}
	return input, nil
}

func readStringMap(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var values map[string]string
	if err := json.Unmarshal(data, &values); err != nil {
		return nil, fmt.Errorf("%s: must be a JSON object of strings: %w", path, err)
	}
	return values, nil
}
