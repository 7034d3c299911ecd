package sim

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// API is the simulated api.weixin.qq.com: an http.Handler serving the token, send,
// typing and media paths, plus methods through which simulated users act and are
// observed. It is safe for concurrent use.
type API struct {
	opts APIOptions // with defaults applied; Faults lives in faults below

	faultMu sync.Mutex
	faults  Faults
	sendDay string // the day sendsToday counts, in opts.DayZone
	sends   int    // send calls so far on sendDay

	mu     sync.Mutex
	apps   map[string]*app    // by appid
	tokens map[string]*token  // by value, classic and stable alike
	media  map[string]*medium // by media_id

	tokenFetches map[string]int // by appid; see TokenFetches
}

// app is one mini program as WeChat knows it.
type app struct {
	id      string
	secret  string
	classic []*token // classic tokens issued, oldest first; pruned when long dead
	stable  stableState
	users   map[string]*user // by openid
}

// NewAPI returns an API with no apps; add them with AddApp.
func NewAPI(opts APIOptions) *API {
	opts = opts.withDefaults()
	return &API{
		opts:   opts,
		faults: opts.Faults,
		apps:   make(map[string]*app),
		tokens: make(map[string]*token),
		media:  make(map[string]*medium),
	}
}

// AddApp makes a mini program known, or changes its secret if it already is (tokens
// already issued stay valid, as on WeChat when a secret is reset).
func (a *API) AddApp(appID, secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ap, ok := a.apps[appID]; ok {
		ap.secret = secret
		return
	}
	a.apps[appID] = &app{id: appID, secret: secret, users: make(map[string]*user)}
}

func (a *API) now() time.Time { return a.opts.Clock.Now() }

// ServeHTTP answers like api.weixin.qq.com: HTTP 200 with a JSON body, errors
// included. Injected latency and system errors come before routing.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := a.Faults()
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if chance(f.SystemErrorShare) {
		writeError(w, fail(codeSystemError))
		return
	}
	switch r.URL.Path {
	case "/cgi-bin/token":
		a.method(w, r, http.MethodGet, a.serveToken)
	case "/cgi-bin/stable_token":
		a.method(w, r, http.MethodPost, a.serveStableToken)
	case "/cgi-bin/message/custom/send", "/cgi-bin/message/custom/business/send":
		a.method(w, r, http.MethodPost, a.serveSend)
	case "/cgi-bin/message/custom/typing", "/cgi-bin/message/custom/business/typing":
		a.method(w, r, http.MethodPost, a.serveTyping)
	case "/cgi-bin/media/upload":
		a.method(w, r, http.MethodPost, a.serveUpload)
	case "/cgi-bin/media/get":
		a.method(w, r, http.MethodGet, a.serveMediaGet)
	default:
		http.NotFound(w, r)
	}
}

// method refuses the wrong HTTP method with WeChat's 43001/43002.
func (a *API) method(w http.ResponseWriter, r *http.Request, want string, h http.HandlerFunc) {
	if r.Method != want {
		code := codeRequirePOST
		if want == http.MethodGet {
			code = codeRequireGET
		}
		writeError(w, fail(code))
		return
	}
	h(w, r)
}

// writeJSON writes v with the Content-Type WeChat uses.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	w.Write(b)
}

// okBody is the success answer of send and typing.
var okBody = errorBody{ErrCode: codeOK, ErrMsg: "ok"}

// maxJSONBody bounds JSON request bodies; WeChat's are small.
const maxJSONBody = 1 << 20
