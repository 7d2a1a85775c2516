// Command etcd is etcd's own server (go.etcd.io/etcd/server/v3), built from the Go module proxy for the
// cluster test tier: etcdmain.Main is the whole of the upstream etcd binary's main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
