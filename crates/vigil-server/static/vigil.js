// vigil dashboard: conveniences only. Every page and form works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // A "select all" checkbox ticks every checkbox of its form's table.
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    const boxes = () => document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`);
    all.addEventListener("change", () => {
      for (const b of boxes()) b.checked = all.checked;
    });
  }
  // Buttons with data-confirm ask before their form is sent.
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }
});
