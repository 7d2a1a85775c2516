// Building the Mount request strings the way the driver's NodePublishVolume does.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// mountRequest holds the three strings the driver passes to MountContent besides the target path.
type mountRequest struct {
	attributes string
	secrets    string
	permission string
}

// readRequest reads the attribute and secret maps and marshals them with encoding/json, as the driver
// does (json.Marshal of map[string]string, so keys are sorted; no nodePublishSecretRef marshals a nil
// map to "null"). The permission is json.Marshal(os.FileMode(0644)), which is the string "420".
func readRequest(opts options) (mountRequest, error) {
	attributes, err := readStringMap(opts.attributes)
	if err != nil {
		return mountRequest{}, err
	}
	var secrets map[string]string
	if opts.secrets != "" {
		if secrets, err = readStringMap(opts.secrets); err != nil {
			return mountRequest{}, err
		}
	}
	attributesJSON, err := json.Marshal(attributes)
	if err != nil {
		return mountRequest{}, err
	}
	secretsJSON, err := json.Marshal(secrets)
	if err != nil {
		return mountRequest{}, err
	}
	permissionJSON, err := json.Marshal(os.FileMode(opts.permission))
	if err != nil {
		return mountRequest{}, err
	}
	return mountRequest{attributes: string(attributesJSON), secrets: string(secretsJSON), permission: string(permissionJSON)}, nil
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
