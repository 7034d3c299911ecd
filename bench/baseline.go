package bench

import (
	"io"
	"net"
	"net/http"
)

// StartBaseline serves, on a loopback port of this process, the cheapest correct
// webhook there is: read the body, answer "success". kefu's figures are reported
// as ratios to it, measured in the same run on the same machine, because the
// machines these numbers come from are noisy.
func StartBaseline() (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/wx/baseline", func() { srv.Close() }, nil
}
