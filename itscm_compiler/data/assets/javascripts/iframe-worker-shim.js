/* A Web Worker stand-in for pages opened from file://, written for itscm.
 *
 * Browsers refuse `new Worker(url)` on file:// pages, so Material's search
 * worker cannot start there. Material's offline plugin would load the
 * iframe-worker polyfill from unpkg.com; an offline site must not fetch
 * anything, so this file does the same job locally: the worker script runs in
 * a hidden same-origin iframe, and messages cross with events. Material looks
 * for a global named IFrameWorker to know it runs this way.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  function IFrameWorker(url) {
    var self = this;
    this.listeners = [];
    this.onmessage = null;
    this.queue = [];
    this.ready = false;
    this.frame = document.createElement("iframe");
    this.frame.setAttribute("aria-hidden", "true");
    this.frame.setAttribute("tabindex", "-1");
    this.frame.style.display = "none";
    (document.body || document.documentElement).appendChild(this.frame);
    var win = this.frame.contentWindow;
    var doc = win.document;
    doc.open();
    doc.write("<!doctype html><html><head></head><body></body></html>");
    doc.close();
    win.postMessage = function (data) {
      setTimeout(function () { self.emit(data); }, 0);
    };
    win.importScripts = function () {
      var urls = Array.prototype.slice.call(arguments);
      return urls.reduce(function (done, src) {
        return done.then(function () { return self.load(src); });
      }, Promise.resolve());
    };
    this.load(new URL(url, location.href).href).then(function () {
      self.ready = true;
      self.queue.splice(0).forEach(function (data) { self.deliver(data); });
    });
  }

  IFrameWorker.prototype.load = function (src) {
    var doc = this.frame.contentWindow.document;
    return new Promise(function (resolve, reject) {
      var script = doc.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      doc.body.appendChild(script);
    });
  };

  IFrameWorker.prototype.deliver = function (data) {
    var win = this.frame.contentWindow;
    win.dispatchEvent(new win.MessageEvent("message", { data: data }));
  };

  IFrameWorker.prototype.emit = function (data) {
    var event = new MessageEvent("message", { data: data });
    if (typeof this.onmessage === "function") this.onmessage(event);
    this.listeners.forEach(function (entry) {
      if (entry.type === "message") entry.fn.call(this, event);
    }, this);
  };

  IFrameWorker.prototype.postMessage = function (data) {
    if (this.ready) this.deliver(data);
    else this.queue.push(data);
  };

  IFrameWorker.prototype.addEventListener = function (type, fn) {
    this.listeners.push({ type: type, fn: fn });
  };

  IFrameWorker.prototype.removeEventListener = function (type, fn) {
    this.listeners = this.listeners.filter(function (entry) {
      return !(entry.type === type && entry.fn === fn);
    });
  };

  IFrameWorker.prototype.terminate = function () {
    if (this.frame.parentNode) this.frame.parentNode.removeChild(this.frame);
  };

  window.IFrameWorker = IFrameWorker;
  window.Worker = IFrameWorker;
})();
