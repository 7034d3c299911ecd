// Package web is kefu's HTTP surface for people: for now the stored media that
// history links to; the agent console grows here.
package web
