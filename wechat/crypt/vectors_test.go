package crypt

// Official test vectors, copied as data from docs/protocol.md §6.

const (
	vecToken     = "AAAAA"
	vecAESKey    = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	vecAppID     = "wxba5fad812f8e6fb9" // V1: the mini program
	vecComponent = "wx134c8103faa5a59e" // V2: the third-party platform

	v1Timestamp    = "1714112445"
	v1Nonce        = "415670741"
	v1Signature    = "6c5c811b55cc85e0e1b54100749188c20beb3f5d"
	v1MsgSignature = "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3"
	v1Encrypt      = "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVzazhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYwKSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04="
	v1Random       = "a8eedb185eb2fecf"
	v1MsgLen       = 167
	v1Msg          = `{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY","CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}`
	v1CipherLen    = 224
	v1FullStrLen   = 205

	v1ReplyRandom       = "707722b803182950"
	v1ReplyMsg          = `{"demo_resp":"good luck"}`
	v1ReplyTimestamp    = "1713424427"
	v1ReplyNonce        = "415670741"
	v1ReplyEncrypt      = "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="
	v1ReplyMsgSignature = "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1"

	v2Timestamp    = "1715943329"
	v2Nonce        = "1590219412"
	v2Signature    = "cc0c594499c1634947d5b502f158ee518947db27"
	v2MsgSignature = "6c12a4205838198b8fa631b3220723bb07f1015c"
	v2Encrypt      = "D7yzvUNAL930rd28wf21s4hvXhz0L6Uit/p2Di6C5DHyYGpEgdBRnKjBec34JwoQXicwaZC7fOVihW80F4VtsdvE//1vr7oAbqjDv8KenVp+ajKYpJnyQ4zMRhIC+a31fCVOMC03FfzV/QuC94kBP55a+Za3sJgvAn+ZbsNqZI5DkyuzkhQN8OBqCzFhizGmy0xpM0MEA4agpvE+RuNO1rhHTtuJB5yltw1FiYzecSXJ+y/D2r81VkRn2eYjh2ltsoyfbDR7Is6ookXIFxTfyeNyeHxMeT4KN5WpCDmSbTcUYrbBUlkGLJ9n/rU8YOywma6G7aTb7KZKOqCxgfoUlYEZPk4FUL/TK7ShriFDMVCLyjQJ15Ob++agDWtcxhfUfe6HIoIpRW8mKNBQiY/Jd1svvuskA1wLef1RTtzKfMpagSCX/laZINmdnX4zrF6kIaR9P4xQrWXbsTFHTYe0Mg=="
	v2Random       = "1205899eaf019bbd"
	v2MsgLen       = 292
	v2Msg          = "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>\n<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>\n<CreateTime>1715943329</CreateTime>\n<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[debug_demo]]></Event>\n<debug_str><![CDATA[hello world]]></debug_str>\n</xml>"
	v2CipherLen    = 352
	v2FullStrLen   = 330

	v2ReplyRandom       = "999951349e8ee746"
	v2ReplyMsg          = "<xml><demo_resp>[CDATA[good luck]]</demo_resp></xml>" // verbatim: lacks "<!"
	v2ReplyTimestamp    = "1713424427"
	v2ReplyNonce        = "415670741"
	v2ReplyEncrypt      = "hE8R6mGXHkJJjU72KxzKUd1GEkKJaEZq7vRL8XgK3o+00k8JGq6+pZJUIlTSyhsX+bxIBQ72g3GyvDdIZcr6+3HAZbSvPT9t/o11MI7d6WELwqrGd7jMnV0zv3Zc9Nq7"
	v2ReplyMsgSignature = "03e0812039325c2712ef5f0f980fd14c70d6e307"
)

// random16 turns a 16-character vector prefix into the bytes it stands for.
func random16(s string) [16]byte {
	if len(s) != 16 {
		panic("random prefix must be 16 bytes: " + s)
	}
	return [16]byte([]byte(s))
}
