// The sign-in page of an emulator started with an admin token: the token goes to
// /_emulator/ui/sign-in as JSON (operator writes take JSON), which sets the cookie the
// dashboard's calls then carry; the page reloads into the dashboard.
"use strict";

document.getElementById("token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = document.getElementById("status");
  const response = await fetch("/_emulator/ui/sign-in", {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({token: document.getElementById("token").value}),
  });
  if (response.ok) {
    window.location.reload();
    return;
  }
  const answer = await response.json().catch(() => ({}));
  status.textContent = answer.error || `${response.status} ${response.statusText}`;
  status.hidden = false;
});
