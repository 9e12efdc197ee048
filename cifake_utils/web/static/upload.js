// Drag-and-drop onto the upload zone; the file picker works without this script.
(function () {
  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("image-input");
  const form = document.getElementById("upload-form");
  if (!zone || !input || !form) return;
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, (event) => {
    event.preventDefault();
    zone.classList.remove("over");
  }));
  zone.addEventListener("drop", (event) => {
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      form.submit();
    }
  });
})();
