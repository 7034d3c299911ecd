package sim

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"kefu"
	"kefu/wechat/crypt"
	"kefu/wechat/pushreq"
)

// Endpoint is one mini program as configured in WeChat's console (消息推送配置) —
// appid, original id, token, EncodingAESKey and the previous one, mode and format —
// and the developer URL WeChat pushes to. App.Secret, if set, is the AppSecret the
// API server expects.
type Endpoint struct {
	App kefu.App
	URL string
}

// endpoint is an Endpoint ready to push: its signer builds requests and its cipher
// opens encrypted replies.
type endpoint struct {
	app    kefu.App
	url    string
	signer *pushreq.Signer
	cipher *crypt.Cipher // nil in plaintext mode
}

// AddEndpoint configures a mini program, or replaces its configuration, as saving the
// console form does; the app is registered with the API too, with secret (or, when
// secret is empty, ep.App.Secret). Pushes already under way finish with the old
// settings.
func (s *Simulator) AddEndpoint(ep Endpoint, secret string) error {
	e, err := newEndpoint(ep)
	if err != nil {
		return err
	}
	if secret == "" {
		secret = ep.App.Secret
	}
	s.api.AddApp(ep.App.AppID, secret)
	s.mu.Lock()
	s.endpoints[ep.App.AppID] = e
	s.mu.Unlock()
	return nil
}

func newEndpoint(ep Endpoint) (*endpoint, error) {
	a := ep.App
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("sim: endpoint %s: %w", a.AppID, err)
	}
	if a.OriginalID == "" {
		return nil, fmt.Errorf("sim: endpoint %s: original id (gh_…) is required: it is the ToUserName of every push", a.AppID)
	}
	u, err := url.Parse(ep.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("sim: endpoint %s: URL %q: want an absolute http(s) URL", a.AppID, ep.URL)
	}
	e := &endpoint{app: a, url: ep.URL}
	if e.signer, err = pushreq.New(&e.app, a.Mode); err != nil {
		return nil, fmt.Errorf("sim: endpoint %s: %w", a.AppID, err)
	}
	if a.Mode != kefu.ModePlain {
		// Replies sealed with the previous key are accepted too: a developer may
		// still be answering with it while a key change settles (an assumption).
		if e.cipher, err = crypt.NewCipher(a.AppID, a.AESKey, a.PrevAESKey); err != nil {
			return nil, fmt.Errorf("sim: endpoint %s: %w", a.AppID, err)
		}
	}
	return e, nil
}

// endpoint returns the configuration of appID.
func (s *Simulator) endpoint(appID string) (*endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.endpoints[appID]
	if !ok {
		return nil, fmt.Errorf("sim: unknown app %q", appID)
	}
	return e, nil
}

// Endpoints returns the configured mini programs, ordered by appid, for a page or a
// control API to list.
func (s *Simulator) Endpoints() []Endpoint {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Endpoint, 0, len(s.endpoints))
	for _, e := range s.endpoints {
		out = append(out, Endpoint{App: e.app, URL: e.url})
	}
	slices.SortFunc(out, func(a, b Endpoint) int { return strings.Compare(a.App.AppID, b.App.AppID) })
	return out
}
