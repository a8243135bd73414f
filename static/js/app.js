// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen-reader and keyboard users hear it first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });

  // Live sums on the budget section: sökt belopp per year and in total while typing.
  // The server computes the real sums when the section is saved; this only previews them.
  function parseAmount(text) {
    var cleaned = (text || "").replace(/kr/i, "").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (cleaned === "") {
      return 0;
    }
    return /^\d+(\.\d{1,2})?$/.test(cleaned) ? Number(cleaned) : NaN;
  }

  function formatMoney(amount) {
    var whole = Math.round(amount).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    return (amount < 0 ? "\u2212" : "") + whole.replace("-", "") + "\u00a0kr";
  }

  function updateSums(grid) {
    var perYear = {};
    var broken = false;
    grid.querySelectorAll("input[data-year]").forEach(function (input) {
      var year = input.getAttribute("data-year");
      var amount = parseAmount(input.value);
      if (isNaN(amount)) {
        broken = true;
        return;
      }
      var sign = input.getAttribute("data-category") === "medfinansiering" ? -1 : 1;
      perYear[year] = (perYear[year] || 0) + sign * amount;
    });
    var total = 0;
    grid.querySelectorAll("[data-sum-year]").forEach(function (cell) {
      var value = perYear[cell.getAttribute("data-sum-year")] || 0;
      total += value;
      cell.textContent = broken ? "\u2013" : formatMoney(value);
    });
    var label = grid.querySelector("[data-sum-label]");
    if (label) {
      label.textContent = "Sökt belopp (inte sparat)";
    }
    var totalText = document.querySelector("[data-sum-total]");
    if (totalText) {
      totalText.textContent = "Sökt belopp totalt (inte sparat): " + (broken ? "\u2013" : formatMoney(total));
    }
    var note = document.querySelector("[data-sum-note]");
    if (note) {
      note.textContent = broken
        ? "Något belopp är inte ett tal; rätta det så räknas summan."
        : "Spara utkastet för att behålla ändringarna.";
    }
  }

  document.addEventListener("input", function (event) {
    var grid = event.target.closest && event.target.closest("[data-live-sums]");
    if (grid) {
      updateSums(grid);
    }
  });

  // Live totals on the report form (participants, money used) while typing. The server
  // draws the same totals whenever it shows the form; this only keeps them current.
  function updateTotal(box) {
    var money = box.getAttribute("data-live-total") === "money";
    var sum = 0;
    var any = false;
    var broken = false;
    box.querySelectorAll("input").forEach(function (input) {
      var text = input.value.trim();
      if (text === "") {
        return;
      }
      var value = money ? parseAmount(text) : (/^\d+$/.test(text) ? Number(text) : NaN);
      if (isNaN(value)) {
        broken = true;
        return;
      }
      any = true;
      sum += value;
    });
    var output = box.querySelector("[data-total-output]");
    if (output) {
      output.textContent = broken || !any ? "\u2013" : money ? formatMoney(sum) : String(sum);
    }
  }

  document.addEventListener("input", function (event) {
    var box = event.target.closest && event.target.closest("[data-live-total]");
    if (box) {
      updateTotal(box);
    }
  });

  // Autosave of an application section: a moment after the user stops typing, the form is
  // posted in the background (the same route as "Spara utkast", marked X-Autosave). The
  // server answers with the new lock version, or says why it did not save; then autosave
  // stops and the user saves with the button, which shows everything in full.
  function setUpAutosave(form) {
    var status = form.querySelector("[data-autosave-status]");
    var lock = form.querySelector("input[name=lock_version]");
    var timer = null;
    var dirty = false;
    var busy = false;
    var stopped = false;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 2000);
    }

    function save() {
      if (!dirty || busy || stopped) {
        return;
      }
      busy = true;
      dirty = false;
      window.fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Autosave": "1" },
        credentials: "same-origin"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("not saved");
        }
        return response.json();
      }).then(function (answer) {
        if (answer.status === "saved" && lock) {
          lock.value = answer.lock_version;
        } else {
          stopped = true;
        }
        say(answer.message);
      }).catch(function () {
        stopped = true;
        say("Det gick inte att spara automatiskt. Spara med knappen.");
      }).then(function () {
        busy = false;
        if (dirty && !stopped) {
          schedule();
        }
      });
    }

    form.addEventListener("input", function () {
      dirty = true;
      schedule();
    });
    form.addEventListener("change", function () {
      dirty = true;
      schedule();
    });
    form.addEventListener("submit", function () {
      stopped = true;
      window.clearTimeout(timer);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.fetch || !window.FormData) {
      return;
    }
    document.querySelectorAll("form[data-autosave]").forEach(setUpAutosave);
  });

  // The main menu is a <details> disclosure that works without this script. On a wide screen
  // it is kept open (CSS shows it where the browser can; this covers the others); the
  // Administration group closes on Escape, on a click elsewhere and when focus leaves it.
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.querySelector("[data-nav-menu]");
    if (!menu || !window.matchMedia) {
      return;
    }
    var wide = window.matchMedia("(min-width: 48em)");
    function follow() {
      if (wide.matches) {
        menu.open = true;
      }
    }
    follow();
    if (wide.addEventListener) {
      wide.addEventListener("change", follow);
    }
    var groups = menu.querySelectorAll("[data-nav-group]");
    function closeGroups(except) {
      groups.forEach(function (group) {
        if (group !== except) {
          group.open = false;
        }
      });
    }
    document.addEventListener("click", function (event) {
      closeGroups(event.target.closest && event.target.closest("[data-nav-group]"));
    });
    groups.forEach(function (group) {
      group.addEventListener("focusout", function (event) {
        if (wide.matches && !group.contains(event.relatedTarget)) {
          group.open = false;
        }
      });
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      var group = event.target.closest("[data-nav-group]");
      if (group && group.open) {
        group.open = false;
        group.querySelector("summary").focus();
      } else if (!wide.matches && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });

  // Ask before destructive actions (buttons with data-confirm).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Character counter near a text's limit (textareas with data-maxlength). The limit is not
  // enforced in the browser (a paste would be cut silently); the server refuses with a message.
  function updateCount(area) {
    var limit = parseInt(area.getAttribute("data-maxlength"), 10);
    var counter = document.querySelector('[data-char-count-for="' + area.id + '"]');
    if (!limit || !counter) {
      return;
    }
    var used = area.value.length;
    var near = used >= limit * 0.8;
    counter.textContent = used > limit
      ? used + " tecken, " + (used - limit) + " för många (högst " + limit + ")."
      : near ? used + " av högst " + limit + " tecken." : "Högst " + limit + " tecken.";
    counter.classList.toggle("char-count--near", near);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-maxlength]")) {
      updateCount(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-maxlength]").forEach(updateCount);
  });
})();
