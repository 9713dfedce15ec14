// The viewer's IANA time zone, so that the server can show times in it.
window.spasmConsole = {
  timeZone: () => Intl.DateTimeFormat().resolvedOptions().timeZone,
};
