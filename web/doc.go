// Package web is kefu's one HTTP server (routes.go lists every route): it mounts
// WeChat's webhook and serves the agents' console (sign-in, the workbench and
// admin pages, their JSON API and event stream), stored media to the agents of
// its mini program, health and metrics. Handlers are thin: the desk, the outbound
// service and the store do the work; web checks who asks and what they may see.
package web
