// The dashboard's buttons: each element with data-call sends one request to the operator API
// (/_emulator/<data-call>?client_id=<tenant>) and reloads the page, which the server renders
// afresh; a refused request shows the emulator's reason instead.
//   data-body     the JSON body (operator writes take JSON; "{}" when absent)
//   data-method   the HTTP method (POST when absent)
//   data-form     the id of a form whose named fields make the body (data-type="int" for numbers)
//   data-append   the id of a field whose value is appended to the path
//   data-prompt   a body field asked for with the text of data-prompt-text
//   data-confirm  a question to confirm first
"use strict";

const tenant = document.body.dataset.tenant;

function formBody(form) {
  const body = {};
  for (const field of form.querySelectorAll("[name]")) {
    if (field.value === "") continue;
    body[field.name] = field.dataset.type === "int" ? Number(field.value) : field.value;
  }
  return body;
}

function show(text) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.hidden = false;
}

async function send(button) {
  let path = button.dataset.call;
  if (button.dataset.append) path += encodeURIComponent(document.getElementById(button.dataset.append).value);
  let body = button.dataset.form ? formBody(document.getElementById(button.dataset.form))
                                 : JSON.parse(button.dataset.body || "{}");
  if (button.dataset.prompt) {
    const value = window.prompt(button.dataset.promptText || button.dataset.prompt);
    if (value === null) return;
    body[button.dataset.prompt] = value.trim();
  }
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  const method = button.dataset.method || "POST";
  const url = `/_emulator/${path}?client_id=${encodeURIComponent(tenant)}`;
  const options = {method, headers: {"Content-Type": "application/json"}};
  if (method !== "GET") options.body = JSON.stringify(body);
  button.disabled = true;
  try {
    const response = await fetch(url, options);
    if (response.ok) {
      window.location.reload();
      return;
    }
    const answer = await response.json().catch(() => ({}));
    show(`${method} ${path}: ${answer.error || response.status + " " + response.statusText}`);
  } catch (error) {
    show(`${method} ${path}: ${error}`);
  }
  button.disabled = false;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-call]");
  if (!button) return;
  event.preventDefault();
  send(button);
});

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]") && event.target.value) event.target.form.submit();
});
