// Package config owns Tafel's per-user configuration: the one settings file
// in os.UserConfigDir()/tafel/ (pools, browser, teacher name), the file
// helpers every store there uses (crash-safe writes, a corrupt file moved
// aside and never silently emptied), and the pools' shared secrets, which live
// only in the OS keyring (service "tafel").
//
// Layering (defaults < recommended < user < managed, issue 7) will be added
// on top of User without changing its keys: the admin files use the same
// schema, resolved per key. Nothing here imports Fyne.
package config
