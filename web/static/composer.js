// The composer: text (Enter sends, Shift+Enter breaks the line; an input method's
// Enter only confirms its word) and images (the picker, a paste, a drop). While the
// agent types, WeChat's typing state is shown to the customer — sent at most every
// 12 seconds (it lasts 15 and cannot be renewed while on) — and cancelled when
// they stop for 5 seconds.

import { t } from "./lib.js";

const maxImage = 2 * 1024 * 1024;
const imageTypes = ["image/jpeg", "image/png"];

export class Composer {
  constructor({ form, text, imageButton, imageInput, dropZone, send, sendImage, typing, onError }) {
    Object.assign(this, { form, text, imageButton, imageInput, send, sendImage, typing, onError });
    this.typingOn = false;
    this.typingAt = 0;
    this.idleTimer = 0;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.submit();
      }
    });
    text.addEventListener("input", () => this.typed());
    imageButton.addEventListener("click", () => imageInput.click());
    imageInput.addEventListener("change", () => {
      for (const f of imageInput.files) this.image(f);
      imageInput.value = "";
    });
    text.addEventListener("paste", (e) => {
      const files = [...(e.clipboardData?.files || [])].filter((f) => f.type.startsWith("image/"));
      if (files.length) {
        e.preventDefault();
        files.forEach((f) => this.image(f));
      }
    });
    dropZone.addEventListener("dragover", (e) => {
      if ([...e.dataTransfer.items].some((i) => i.kind === "file")) {
        e.preventDefault();
        form.classList.add("dragging");
      }
    });
    dropZone.addEventListener("dragleave", () => form.classList.remove("dragging"));
    dropZone.addEventListener("drop", (e) => {
      form.classList.remove("dragging");
      const files = [...e.dataTransfer.files].filter((f) => f.type.startsWith("image/"));
      if (files.length && !this.text.disabled) {
        e.preventDefault();
        files.forEach((f) => this.image(f));
      }
    });
  }

  reset() {
    this.text.value = "";
    this.stopTyping();
  }

  focus() {
    if (!this.text.disabled) this.text.focus();
  }

  // enable opens or shuts the composer; shut, it says why.
  enable(on, why) {
    this.text.disabled = !on;
    this.imageButton.disabled = !on;
    this.form.querySelector("[type=submit]").disabled = !on;
    this.text.placeholder = on ? t("composer_hint") : why;
    if (!on) this.stopTyping();
  }

  submit() {
    const text = this.text.value.trim();
    if (!text || this.text.disabled) return;
    this.text.value = "";
    this.stopTyping(false); // sending a message ends WeChat's typing state by itself
    this.send(text);
  }

  image(file) {
    if (this.text.disabled) return;
    if (!imageTypes.includes(file.type) || file.size > maxImage) {
      this.onError(new Error(t("err_bad_image")));
      return;
    }
    this.sendImage(file);
  }

  typed() {
    clearTimeout(this.idleTimer);
    const now = Date.now();
    if (this.text.value && (!this.typingOn || now - this.typingAt > 12000)) {
      this.typingOn = true;
      this.typingAt = now;
      this.typing(true);
    }
    this.idleTimer = setTimeout(() => this.stopTyping(), 5000);
  }

  stopTyping(tell = true) {
    clearTimeout(this.idleTimer);
    if (this.typingOn && tell) this.typing(false);
    this.typingOn = false;
  }
}
