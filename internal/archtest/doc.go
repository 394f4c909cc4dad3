// Package archtest holds no code, only tests that keep the dependency direction of
// DESIGN.md true: the domain (survey, survey/report) stays pure, only cmd imports viper,
// and the TUI reaches storage only through interfaces.
package archtest
