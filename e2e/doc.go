// Package e2e holds the end-to-end tests: a whole seira on 127.0.0.1 and
// its pages in headless Chromium, used the way a citizen, a clerk and a
// waiting room use them.
package e2e
