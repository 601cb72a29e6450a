/* Slider captcha widget: loads a challenge, lets the user drag the piece with the handle
   (pointer events: mouse, touch and pen), and asks the server for the verdict.
   The page never knows where the gap is: it only reports where the piece was dropped. */
"use strict";
(() => {
  const cfg = JSON.parse(document.getElementById("captcha-config").textContent);
  const $ = (id) => document.getElementById(id);
  const root = $("captcha");
  const bg = $("captcha-bg");
  const piece = $("captcha-piece");
  const track = $("slider-track");
  const handle = $("slider-handle");
  const fill = $("slider-fill");
  const result = $("captcha-result");
  const refreshButton = $("captcha-refresh");

  const MAX_TRAIL = 4000;
  const MAX_LOAD_TRIES = 5;

  let challenge = null; // {id, background, piece, width, height, piece_width, piece_height, piece_y}
  let scale = 1; // natural image px per CSS px
  let handleX = 0; // CSS px
  let pieceX = 0; // CSS px
  let drag = null;
  let locked = true; // no dragging while loading, verifying, or after success
  let generation = 0; // bumps on every new challenge; stale async work checks it
  let loadTries = 0;
  let pendingTimer = 0;

  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  const handleTravel = () => track.clientWidth - handle.offsetWidth;
  const pieceTravel = () => cfg.display_width - piece.offsetWidth;

  function setState(state, message) {
    root.dataset.state = state;
    result.dataset.state = state;
    result.textContent = message;
  }

  function setBusy(busy) {
    root.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function place(x) {
    handleX = clamp(x, 0, handleTravel());
    pieceX = clamp(handleX * cfg.ratio, 0, pieceTravel());
    handle.style.transform = `translateX(${handleX}px)`;
    piece.style.transform = `translateX(${pieceX}px)`;
    fill.style.width = `${handleX + handle.offsetWidth}px`;
    root.classList.toggle("is-dragged", handleX > 0);
    const percent = Math.round((100 * handleX) / Math.max(1, handleTravel()));
    handle.setAttribute("aria-valuenow", String(percent));
  }

  function returnToStart() {
    root.classList.add("is-returning");
    place(0);
    setTimeout(() => root.classList.remove("is-returning"), 320);
  }

  function loadImage(img, src) {
    return new Promise((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error(`could not load ${src}`));
      img.src = src;
    });
  }

  async function load() {
    const token = ++generation;
    clearTimeout(pendingTimer);
    locked = true;
    drag = null;
    setBusy(true);
    root.classList.add("is-loading");
    root.classList.remove("is-dragging");
    try {
      const response = await fetch(cfg.challenge_url, { method: "POST", cache: "no-store" });
      if (!response.ok) throw new Error(`challenge request failed: HTTP ${response.status}`);
      const data = await response.json();
      if (token !== generation) return;
      await Promise.all([loadImage(bg, data.background), loadImage(piece, data.piece)]);
      if (token !== generation) return;
      challenge = data;
      scale = data.width / cfg.display_width;
      piece.style.width = `${data.piece_width / scale}px`;
      piece.style.height = `${data.piece_height / scale}px`;
      piece.style.top = `${data.piece_y / scale}px`;
      place(0);
      loadTries = 0;
      locked = false;
      root.classList.remove("is-loading");
      setBusy(false);
    } catch (err) {
      if (token !== generation) return;
      loadTries += 1;
      if (loadTries < MAX_LOAD_TRIES) {
        setState("fail", "Could not load the puzzle, retrying…");
        pendingTimer = setTimeout(load, 1500);
      } else {
        setState("fail", "Could not load the puzzle. Press refresh to try again.");
        setBusy(false);
      }
    }
  }

  function record(sample) {
    if (drag.trail.length < MAX_TRAIL) drag.trail.push(sample);
    place(sample[1]);
  }

  function tick() {
    if (drag && drag.latest) {
      record(drag.latest);
      drag.latest = null;
    }
  }

  function onDown(event) {
    if (locked || drag || event.button !== 0) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    // Like most widgets, follow the drag on the whole window, not only on the handle.
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
    window.addEventListener("pointercancel", onUp);
    drag = {
      id: event.pointerId,
      x0: event.clientX,
      y0: event.clientY,
      t0: performance.now(),
      trail: [[0, 0, 0]],
      latest: null,
      timer: 0,
    };
    if (cfg.sample > 0) drag.timer = setInterval(tick, cfg.sample);
    root.classList.add("is-dragging");
    if (result.dataset.state !== "idle") setState("idle", "");
  }

  function onMove(event) {
    if (!drag || event.pointerId !== drag.id) return;
    event.preventDefault();
    const sample = [
      Math.round(performance.now() - drag.t0),
      event.clientX - drag.x0,
      event.clientY - drag.y0,
    ];
    // A sampling widget only looks at the pointer on its timer's ticks.
    if (cfg.sample > 0) drag.latest = sample;
    else record(sample);
  }

  function onUp(event) {
    if (!drag || event.pointerId !== drag.id) return;
    const done = drag;
    drag = null;
    window.removeEventListener("pointermove", onMove);
    window.removeEventListener("pointerup", onUp);
    window.removeEventListener("pointercancel", onUp);
    clearInterval(done.timer);
    root.classList.remove("is-dragging");
    if (event.type !== "pointerup" || handleX < 1) {
      returnToStart();
      return;
    }
    verify(done);
  }

  async function verify(done) {
    const token = generation;
    locked = true;
    setBusy(true);
    setState("verifying", "Verifying…");
    const body = JSON.stringify({
      id: challenge.id,
      x: Math.round(pieceX * scale * 100) / 100,
      trajectory: done.trail,
    });
    let status = 0;
    let verdict = {};
    try {
      const response = await fetch(cfg.verify_url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body,
        cache: "no-store",
      });
      status = response.status;
      verdict = await response.json();
    } catch (err) {
      verdict = { message: "Network error." };
    }
    if (token !== generation) return;
    if (status === 200 && verdict.success === true) {
      const seconds = (done.trail[done.trail.length - 1][0] / 1000).toFixed(1);
      setState("success", `Verified in ${seconds} s`);
      setBusy(false);
      return;
    }
    const message =
      status === 200
        ? "Not quite, try again."
        : verdict.message || "Verification failed.";
    setState("fail", message);
    root.classList.remove("shake");
    void root.offsetWidth; // restart the animation
    root.classList.add("shake");
    pendingTimer = setTimeout(load, 900);
  }

  handle.addEventListener("pointerdown", onDown);
  handle.addEventListener("dragstart", (event) => event.preventDefault());
  root.addEventListener("animationend", (event) => {
    if (event.animationName === "captcha-shake") root.classList.remove("shake");
  });
  refreshButton.addEventListener("click", () => {
    setState("idle", "");
    loadTries = 0;
    load();
  });

  setState("idle", "");
  load();
})();
