// Package webhook is the URL WeChat pushes customer-service messages to:
// GET /wx/{appid} answers WeChat's URL verification and POST /wx/{appid} receives
// pushes in every mode and format, authenticates them, stores each exactly once and
// only then answers "success" (docs/architecture.md §2 and invariants 1–3).
package webhook
