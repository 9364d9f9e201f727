package main

// What the commands that drive a running server from outside (load, sim,
// backup) share.

// logLevel adds -log-level to the tools' flags: they log alike, quietly
// (warn) by default, as their output is the report on stdout.
func logLevel(f *cmdFlags) *string {
	return f.String("log-level", "warn", "log level: debug, info, warn or error", "SEIRA_LOG_LEVEL")
}

// notePassword tells a tool's help where the administrator's password
// comes from.
func notePassword(f *cmdFlags) {
	f.note("SEIRA_PASSWORD", "the administrator's password to sign in with")
	f.note("SEIRA_ADMIN_PASSWORD", "used when SEIRA_PASSWORD is not set: the password the server was set up with")
}

// adminPassword is the administrator's password the tools sign in with:
// SEIRA_PASSWORD, or the SEIRA_ADMIN_PASSWORD the server was set up with.
func adminPassword(getenv func(string) string) string {
	if pw := getenv("SEIRA_PASSWORD"); pw != "" {
		return pw
	}
	return getenv("SEIRA_ADMIN_PASSWORD")
}
