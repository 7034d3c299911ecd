package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"kefu"
)

// recordedSignaturesSQL finds the documents stored under URL signatures. Only
// pushes to plaintext-mode apps carry a signature, so pushes in the other modes
// never run it.
var recordedSignaturesSQL = multiRow{
	name:   "recorded-signatures",
	prefix: `SELECT url_signature, raw FROM messages WHERE appid = ? AND url_signature IN (`,
	group:  `?`,
	suffix: `)`,
}

// errSignatureTaken fails a batch in which a push was not inserted because its URL
// signature is on record: its pushes are then committed one by one.
var errSignatureTaken = errors.New("a push's URL signature is on record; retrying push by push")

// sigKey identifies a URL signature across apps.
type sigKey struct{ appID, signature string }

func signatureKey(r *ingestRequest) sigKey { return sigKey{r.key.appID, r.msg.Signed.Signature} }

// checkSignatures refuses (kefu.ErrSignatureReused) each push of batch (sorted by
// app) whose URL signature already stands for another document, earlier in the
// batch or, when the batch is a single push, stored before; it returns the others.
// A sealed push (its document authenticated by its own ciphertext signature) is
// never refused; when its signature is taken it is stored without one.
//
// A batch of several pushes does not look its signatures up: almost every
// signature is new, and the unique index on (appid, url_signature) is the check
// that cannot be raced. A push whose signature is on record is then not inserted,
// the batch fails (errSignatureTaken), and each of its pushes is committed alone,
// which looks up here, before anything is written: a refused push leaves no
// customer or conversation behind.
func (s *Store) checkSignatures(ctx context.Context, tx *sql.Tx, batch []*ingestRequest) ([]*ingestRequest, error) {
	first := map[sigKey]*ingestRequest{}
	var firsts []*ingestRequest
	for _, r := range batch {
		r.recordSignature = false
		if r.msg.Signed == nil {
			continue
		}
		k := signatureKey(r)
		if f, ok := first[k]; ok {
			// The same signature again in this batch: WeChat's retry if it has the
			// same document and its first is taken, else a forgery.
			if !r.msg.Signed.Sealed && (f.refused != nil || !bytes.Equal(f.msg.Raw, r.msg.Raw)) {
				r.refused = kefu.ErrSignatureReused
			}
			continue
		}
		first[k] = r
		firsts = append(firsts, r)
	}
	if len(firsts) == 0 {
		return batch, nil
	}
	recorded := map[sigKey][]byte{}
	if len(batch) == 1 {
		var err error
		if recorded, err = s.recordedSignatures(ctx, tx, firsts); err != nil {
			return nil, err
		}
	}
	for _, r := range firsts {
		raw, ok := recorded[signatureKey(r)]
		switch {
		case !ok:
			r.recordSignature = true
		case !r.msg.Signed.Sealed && !bytes.Equal(raw, r.msg.Raw):
			r.refused = kefu.ErrSignatureReused
		}
	}
	// A follower refused after its first was found refused above.
	for _, r := range batch {
		if r.msg.Signed != nil && r.refused == nil && !r.msg.Signed.Sealed {
			if f := first[signatureKey(r)]; f != r && f.refused != nil {
				r.refused = kefu.ErrSignatureReused
			}
		}
	}
	out := batch[:0:0]
	for _, r := range batch {
		if r.refused == nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// recordedSignatures returns the stored documents of the signatures of reqs
// (sorted by app) that are on record.
func (s *Store) recordedSignatures(ctx context.Context, tx *sql.Tx, reqs []*ingestRequest) (map[sigKey][]byte, error) {
	recorded := map[sigKey][]byte{}
	err := inAppChunks(reqs, func(r *ingestRequest) (string, any) { return r.key.appID, r.msg.Signed.Signature },
		func(appID string, args []any, n int) error {
			stmt, err := s.multiStmt(ctx, tx, recordedSignaturesSQL, n)
			if err != nil {
				return err
			}
			rows, err := stmt.QueryContext(ctx, args...)
			if err != nil {
				return fmt.Errorf("read signatures: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var sig string
				var raw []byte
				if err := rows.Scan(&sig, &raw); err != nil {
					return err
				}
				recorded[sigKey{appID, sig}] = raw
			}
			return rows.Err()
		})
	return recorded, err
}
