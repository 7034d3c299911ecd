package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"kefu"
	"kefu/wechat/pushreq"
)

// Push is one prepared push, its MsgId (by which the store is checked afterwards)
// and its user.
type Push struct {
	Request pushreq.Request
	MsgID   int64
	OpenID  string
}

// BuildPushes prepares n distinct text pushes from users distinct openids, signed
// and encrypted for app in mode, all before the clock starts so that the run
// measures the server, not the generator. MsgIds start at a random base so runs
// against one database never collide.
func BuildPushes(app *kefu.App, mode kefu.Mode, n, users int, now time.Time) ([]Push, error) {
	signer, err := pushreq.New(app, mode)
	if err != nil {
		return nil, err
	}
	if users <= 0 {
		users = 1000
	}
	base := rand.Int64N(1<<52) + 1
	nonces := pushreq.NewNonces() // every push shares the timestamp: nonces must not repeat
	ts := now.Unix()
	pushes := make([]Push, n)
	for i := range pushes {
		m := &kefu.Inbound{
			ToUserName: app.OriginalID,
			OpenID:     fmt.Sprintf("obench%011d", i%users),
			CreateTime: ts,
			MsgType:    "text",
			Kind:       kefu.KindText,
			MsgID:      base + int64(i),
			Content:    "你好，我的订单还没有发货，能帮我查一下吗？ #" + strconv.Itoa(i),
		}
		req, err := signer.Build(m, ts, nonces.Next())
		if err != nil {
			return nil, err
		}
		pushes[i] = Push{Request: req, MsgID: m.MsgID, OpenID: m.OpenID}
	}
	return pushes, nil
}
