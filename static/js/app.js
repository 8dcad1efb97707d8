// Behaviour the templates declare with data attributes instead of inline handlers (the
// Content-Security-Policy forbids inline script):
//   <select data-autosubmit>         submits its form when the choice changes
//   <form data-confirm="question">   asks before submitting; "Cancel" keeps the page as it is
//   <button data-print>              prints the page
//   <form data-cell-editor>          Escape clicks its [data-cancel] button (closes the editor)
(function () {
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      field.form.requestSubmit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) {
      return;
    }
    var editor = event.target.closest("form[data-cell-editor]");
    var cancel = editor && editor.querySelector("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });
})();
