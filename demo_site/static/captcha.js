/* Slider captcha widget: loads a challenge, lets the user drag the piece with the handle
   (pointer events: mouse, touch and pen), and asks the server for the verdict.
   The page never knows where the gap is: it only reports where the piece was dropped.
   Variant behaviours (README "Variants") read their amounts from the config: hover_ms,
   jump_px, verdict_classes, late_ms, reset_ms, piece_element; absent means off. */
"use strict";
(() => {
  const cfg = JSON.parse(document.getElementById("captcha-config").textContent);
  const $ = (id) => document.getElementById(id);
  const root = $("captcha");
  const bg = $("captcha-bg");
  const image = $("captcha-image");
  let piece = $("captcha-piece");
  const track = $("slider-track");
  const handle = $("slider-handle");
  const fill = $("slider-fill");
  const classes = cfg.verdict_classes || null; // [accepted, rejected] on #captcha, nothing else
  const result = classes ? null : $("captcha-result");
  const refreshButton = $("captcha-refresh");

  const MAX_TRAIL = 4000;
  const MAX_LOAD_TRIES = 5;

  let challenge = null; // {id, background, piece, width, height, piece_width, piece_height, piece_y}
  let scale = 1; // natural image px per CSS px
  let handleX = 0; // CSS px
  let pieceX = 0; // CSS px the piece moved from its start
  let startX = 0; // CSS px of the piece's start left of the picture's edge (negative: outside)
  let hoverSince = -1; // event time when the pointer came onto the handle, -1 off it
  let hoverTimer = 0;
  let state = "idle";
  let drag = null;
  let locked = true; // no dragging while loading, verifying, or after success
  let generation = 0; // bumps on every new challenge; stale async work checks it
  let loadTries = 0;
  let pendingTimer = 0;

  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
  const handleTravel = () => track.clientWidth - handle.offsetWidth;
  const pieceTravel = () => cfg.display_width - piece.offsetWidth - startX;

  function setState(next, message) {
    state = next;
    if (classes) {
      root.classList.toggle(classes[0], next === "success");
      root.classList.toggle(classes[1], next === "fail");
      return;
    }
    root.dataset.state = next;
    result.dataset.state = next;
    result.textContent = message;
  }

  function setBusy(busy) {
    root.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function place(x) {
    handleX = clamp(x, 0, handleTravel());
    pieceX = clamp(handleX * cfg.ratio, 0, Math.max(0, pieceTravel()));
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

  async function loadPiece(src) {
    if (piece.tagName !== "CANVAS") return loadImage(piece, src);
    const picture = new Image();
    await loadImage(picture, src);
    piece.width = picture.naturalWidth;
    piece.height = picture.naturalHeight;
    const context = piece.getContext("2d");
    context.clearRect(0, 0, piece.width, piece.height);
    context.drawImage(picture, 0, 0);
  }

  // outside: the piece is its own <img> or <canvas> on the card, over the picture, and
  // starts partly left of it (the picture's box would clip it).
  if (cfg.piece_element) {
    const own = document.createElement(cfg.piece_element);
    own.id = "captcha-piece";
    own.className = "captcha-piece captcha-piece-outside";
    if (cfg.piece_element === "img") {
      own.alt = "";
      own.draggable = false;
    }
    piece.remove();
    image.after(own);
    piece = own;
    root.classList.add("has-outside-piece");
  }

  // verdict_classes: no words and no result element, only a class on #captcha.
  if (classes) {
    $("captcha-result").remove();
    root.removeAttribute("data-state");
    const style = document.createElement("style");
    style.textContent =
      `.captcha.${classes[0]} .slider-handle { background: #22c55e; color: #fff; }\n` +
      `.captcha.${classes[1]} .slider-handle { background: #ef4444; color: #fff; }`;
    document.head.append(style);
  }

  // hover_ms: a press counts only once the pointer has rested on the handle that long.
  // Times are the events' own (when the browser saw the pointer), not the handlers' runs.
  function startHover(event) {
    if (!cfg.hover_ms || hoverSince >= 0) return;
    hoverSince = event.timeStamp;
    handle.style.setProperty("--hover-ms", `${cfg.hover_ms}ms`);
    handle.classList.add("is-hovering");
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(() => handle.classList.add("is-ready"), cfg.hover_ms);
  }

  function endHover() {
    hoverSince = -1;
    clearTimeout(hoverTimer);
    handle.classList.remove("is-hovering", "is-ready");
  }

  const rested = (event) =>
    !cfg.hover_ms || (hoverSince >= 0 && event.timeStamp - hoverSince >= cfg.hover_ms);

  async function load() {
    const token = ++generation;
    clearTimeout(pendingTimer);
    locked = true;
    drag = null;
    endHover(); // a new puzzle wants a new rest on the handle
    setBusy(true);
    root.classList.add("is-loading");
    root.classList.remove("is-dragging");
    try {
      const response = await fetch(cfg.challenge_url, { method: "POST", cache: "no-store" });
      if (!response.ok) throw new Error(`challenge request failed: HTTP ${response.status}`);
      const data = await response.json();
      if (token !== generation) return;
      await Promise.all([loadImage(bg, data.background), loadPiece(data.piece)]);
      if (token !== generation) return;
      challenge = data;
      scale = data.width / cfg.display_width;
      startX = (data.piece_start || 0) / scale;
      piece.style.width = `${data.piece_width / scale}px`;
      piece.style.height = `${data.piece_height / scale}px`;
      if (cfg.piece_element) {
        piece.style.top = `${image.offsetTop + data.piece_y / scale}px`;
        piece.style.left = `${image.offsetLeft + startX}px`;
      } else {
        piece.style.top = `${data.piece_y / scale}px`;
      }
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
    if (!rested(event)) return; // hover_ms: pressed before the hover transition ended
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    // Like most widgets, follow the drag on the whole window, not only on the handle.
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
    window.addEventListener("pointercancel", onUp);
    // jump_px: the handle's left edge goes to the pointer's x (less jump_px) on press.
    const base =
      typeof cfg.jump_px === "number"
        ? clamp(event.clientX - track.getBoundingClientRect().left - cfg.jump_px, 0, handleTravel())
        : 0;
    drag = {
      id: event.pointerId,
      x0: event.clientX,
      y0: event.clientY,
      base,
      t0: performance.now(),
      trail: [[0, base, 0]],
      latest: null,
      timer: 0,
    };
    if (base) place(base);
    if (cfg.sample > 0) drag.timer = setInterval(tick, cfg.sample);
    root.classList.add("is-dragging");
    if (state !== "idle") setState("idle", "");
  }

  function onMove(event) {
    if (!drag || event.pointerId !== drag.id) return;
    event.preventDefault();
    const sample = [
      Math.round(performance.now() - drag.t0),
      drag.base + event.clientX - drag.x0,
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
    const released = performance.now();
    locked = true;
    if (!cfg.late_ms) {
      setBusy(true);
      setState("verifying", "Verifying…");
    }
    const body = JSON.stringify({
      id: challenge.id,
      x: Math.round((startX + pieceX) * scale * 100) / 100,
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
    if (cfg.late_ms) {
      // late_ms: the verdict shows this long after release, whenever the server answered.
      const wait = cfg.late_ms - (performance.now() - released);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (token !== generation) return;
    }
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
    if (cfg.reset_ms) {
      // reset_ms: show the failure briefly, slide back, clear it, then a new picture.
      pendingTimer = setTimeout(() => {
        if (token !== generation) return;
        setState("idle", "");
        returnToStart();
        pendingTimer = setTimeout(load, 350);
      }, cfg.reset_ms);
      return;
    }
    pendingTimer = setTimeout(load, 900);
  }

  handle.addEventListener("pointerdown", onDown);
  handle.addEventListener("pointerenter", startHover);
  handle.addEventListener("pointermove", startHover);
  handle.addEventListener("pointerleave", endHover);
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
