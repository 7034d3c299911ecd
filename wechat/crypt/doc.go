// Package crypt implements the cryptography of WeChat message push (the
// WXBizMsgCrypt scheme, docs/protocol.md §3–§5): the SHA-1 signatures WeChat puts on
// every request, and the AES-256-CBC envelope (the "Encrypt" field) used in secure
// and compatible modes. A Cipher holds one mini program's current and previous
// EncodingAESKey so that changing the key in the admin console does not drop pushes
// already in flight.
//
// The package knows nothing of HTTP, XML or JSON: wechat/webhook verifies requests
// with it and wechat/codec parses what it returns.
//
// The envelope carries no MAC. What authenticates a push is msg_signature, which
// covers the Encrypt string and the secret token. Check msg_signature with Equal
// before calling Open or Decrypt, and answer every failure the same way; otherwise
// the distinct errors of Decrypt become a padding oracle.
package crypt
