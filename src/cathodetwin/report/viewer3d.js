// cathodetwin interactive 3D view: WebGL2, no libraries, no network.
// Reads the scene from <script id="ct-scene"> (base64 little-endian arrays, µm) and draws
// particles (instanced icospheres), SSE shells, carbon-fibre segments (lines) and the SSE
// network surface (coloured by height). Drag: rotate; shift-drag: pan; wheel: zoom.
(function () {
  "use strict";
  const canvas = document.getElementById("ct-view");
  const figure = canvas.closest("figure");
  const scene = JSON.parse(document.getElementById("ct-scene").textContent);
  const state = (window.__ctViewer = { frames: 0, layers: [], error: null });

  function fail(text) {
    state.error = text;
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = text;
    canvas.replaceWith(p);
  }

  const gl = canvas.getContext("webgl2", { preserveDrawingBuffer: true, antialias: true });
  if (!gl) {
    fail("This browser offers no WebGL2, so the interactive view cannot be shown; " +
         "the static 3D renders above show the same twin.");
    return;
  }

  function decode(b64, Type) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  // --- small matrix helpers (column-major 4x4) ---
  function perspective(fovy, aspect, near, far) {
    const f = 1 / Math.tan(fovy / 2), nf = 1 / (near - far);
    return [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1,
            0, 0, 2 * far * near * nf, 0];
  }
  function sub(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
  function cross(a, b) {
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  }
  function norm(a) { const l = Math.hypot(a[0], a[1], a[2]) || 1; return [a[0] / l, a[1] / l, a[2] / l]; }
  function dot(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
  function lookAt(eye, target, up) {
    const z = norm(sub(eye, target)), x = norm(cross(up, z)), y = cross(z, x);
    return [x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0,
            -dot(x, eye), -dot(y, eye), -dot(z, eye), 1];
  }

  // --- shaders ---
  const LIT_VS = `#version 300 es
  in vec3 a_pos; in vec3 a_center; in float a_radius; in vec3 a_color;
  uniform mat4 u_view, u_proj; uniform float u_height; uniform int u_by_height;
  out vec3 v_normal; out vec3 v_color;
  vec3 ramp(float t) {
    t = clamp(t, 0.0, 1.0);
    return mix(mix(vec3(0.27, 0.0, 0.33), vec3(0.13, 0.57, 0.55), smoothstep(0.0, 0.5, t)),
               vec3(0.99, 0.91, 0.14), smoothstep(0.5, 1.0, t));
  }
  void main() {
    vec3 world = a_center + a_radius * a_pos;
    gl_Position = u_proj * u_view * vec4(world, 1.0);
    v_normal = mat3(u_view) * a_pos;
    v_color = u_by_height == 1 ? ramp(world.z / u_height) : a_color / 255.0;
  }`;
  const SURF_VS = `#version 300 es
  in vec3 a_pos; in vec3 a_normal;
  uniform mat4 u_view, u_proj; uniform float u_height;
  out vec3 v_normal; out vec3 v_color;
  vec3 ramp(float t) {
    t = clamp(t, 0.0, 1.0);
    return mix(mix(vec3(0.27, 0.0, 0.33), vec3(0.13, 0.57, 0.55), smoothstep(0.0, 0.5, t)),
               vec3(0.99, 0.91, 0.14), smoothstep(0.5, 1.0, t));
  }
  void main() {
    gl_Position = u_proj * u_view * vec4(a_pos, 1.0);
    v_normal = mat3(u_view) * a_normal;
    v_color = ramp(a_pos.z / u_height);
  }`;
  const LIT_FS = `#version 300 es
  precision mediump float;
  in vec3 v_normal; in vec3 v_color; out vec4 color;
  void main() {
    float light = 0.35 + 0.65 * abs(normalize(v_normal).z);
    color = vec4(v_color * light, 1.0);
  }`;
  const FLAT_VS = `#version 300 es
  in vec3 a_pos; uniform mat4 u_view, u_proj;
  void main() { gl_Position = u_proj * u_view * vec4(a_pos, 1.0); }`;
  const FLAT_FS = `#version 300 es
  precision mediump float; uniform vec3 u_color; out vec4 color;
  void main() { color = vec4(u_color, 1.0); }`;

  function program(vs, fs) {
    const p = gl.createProgram();
    for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
      const s = gl.createShader(type);
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
      gl.attachShader(p, s);
    }
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(p));
    return p;
  }

  function buffer(data, target) {
    const b = gl.createBuffer();
    gl.bindBuffer(target || gl.ARRAY_BUFFER, b);
    gl.bufferData(target || gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    return b;
  }

  function attribute(prog, name, buf, size, type, normalized, divisor) {
    const loc = gl.getAttribLocation(prog, name);
    if (loc < 0) return;
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, size, type || gl.FLOAT, !!normalized, 0, 0);
    gl.vertexAttribDivisor(loc, divisor || 0);
  }

  // icosphere: an icosahedron subdivided ``level`` times, positions = normals on the unit sphere
  function icosphere(level) {
    const t = (1 + Math.sqrt(5)) / 2;
    let v = [[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t],
             [0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]].map(norm);
    let f = [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4],
             [11, 10, 2], [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8],
             [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]];
    for (let l = 0; l < level; l++) {
      const cache = new Map(), next = [];
      const mid = (a, b) => {
        const key = a < b ? a + "," + b : b + "," + a;
        if (!cache.has(key)) {
          v.push(norm([(v[a][0] + v[b][0]) / 2, (v[a][1] + v[b][1]) / 2, (v[a][2] + v[b][2]) / 2]));
          cache.set(key, v.length - 1);
        }
        return cache.get(key);
      };
      for (const [a, b, c] of f) {
        const ab = mid(a, b), bc = mid(b, c), ca = mid(c, a);
        next.push([a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]);
      }
      f = next;
    }
    const pos = new Float32Array(f.length * 9);
    f.forEach((tri, i) => tri.forEach((k, j) => pos.set(v[k], 9 * i + 3 * j)));
    return pos;
  }

  function surfaceNormals(pos, index) {
    const n = new Float32Array(pos.length);
    for (let i = 0; i < index.length; i += 3) {
      const a = 3 * index[i], b = 3 * index[i + 1], c = 3 * index[i + 2];
      const e1 = [pos[b] - pos[a], pos[b + 1] - pos[a + 1], pos[b + 2] - pos[a + 2]];
      const e2 = [pos[c] - pos[a], pos[c + 1] - pos[a + 1], pos[c + 2] - pos[a + 2]];
      const fn = cross(e1, e2);
      for (const k of [a, b, c]) { n[k] += fn[0]; n[k + 1] += fn[1]; n[k + 2] += fn[2]; }
    }
    return n;
  }

  let draws = {};
  const box = scene.box_um;
  const target0 = [box[0] / 2, box[1] / 2, box[2] / 2];
  const size = Math.hypot(box[0], box[1], box[2]);
  const view = { theta: -0.75, phi: 0.5, dist: 1.6 * size, target: target0.slice() };

  try {
    const lit = program(LIT_VS, LIT_FS), surf = program(SURF_VS, LIT_FS);
    const flat = program(FLAT_VS, FLAT_FS);
    for (const name of ["particles", "shells"]) {
      const layer = scene.layers[name];
      if (!layer) continue;
      const count = layer.radius_count;
      const unit = icosphere(count > 5000 ? 1 : 2);
      const vao = gl.createVertexArray();
      gl.bindVertexArray(vao);
      attribute(lit, "a_pos", buffer(unit), 3);
      attribute(lit, "a_center", buffer(decode(layer.center, Float32Array)), 3, gl.FLOAT, false, 1);
      attribute(lit, "a_radius", buffer(decode(layer.radius, Float32Array)), 1, gl.FLOAT, false, 1);
      attribute(lit, "a_color", buffer(decode(layer.color, Uint8Array)), 3, gl.UNSIGNED_BYTE,
                false, 1);
      draws[name] = () => {
        gl.useProgram(lit);
        gl.uniform1i(gl.getUniformLocation(lit, "u_by_height"), 0);
        gl.bindVertexArray(vao);
        gl.drawArraysInstanced(gl.TRIANGLES, 0, unit.length / 3, count);
      };
      draws[name].program = lit;
    }
    const fibers = scene.layers.fibers;
    if (fibers) {
      const a = decode(fibers.start, Float32Array), b = decode(fibers.end, Float32Array);
      const pts = new Float32Array(2 * a.length);
      for (let i = 0; i < a.length / 3; i++) {
        pts.set(a.subarray(3 * i, 3 * i + 3), 6 * i);
        pts.set(b.subarray(3 * i, 3 * i + 3), 6 * i + 3);
      }
      const rgb = Array.from(decode(fibers.color, Uint8Array)).map((c) => c / 255);
      const vao = gl.createVertexArray();
      gl.bindVertexArray(vao);
      attribute(flat, "a_pos", buffer(pts), 3);
      draws.fibers = () => {
        gl.useProgram(flat);
        gl.uniform3fv(gl.getUniformLocation(flat, "u_color"), rgb);
        gl.bindVertexArray(vao);
        gl.drawArrays(gl.LINES, 0, pts.length / 3);
      };
      draws.fibers.program = flat;
    }
    const network = scene.layers.network;
    if (network) {
      const pos = decode(network.position, Float32Array);
      const index = decode(network.index, Uint32Array);
      const vao = gl.createVertexArray();
      gl.bindVertexArray(vao);
      attribute(surf, "a_pos", buffer(pos), 3);
      attribute(surf, "a_normal", buffer(surfaceNormals(pos, index)), 3);
      buffer(index, gl.ELEMENT_ARRAY_BUFFER);
      draws.network = () => {
        gl.useProgram(surf);
        gl.bindVertexArray(vao);
        gl.drawElements(gl.TRIANGLES, index.length, gl.UNSIGNED_INT, 0);
      };
      draws.network.program = surf;
    }
  } catch (err) {
    fail("The interactive view could not start: " + err.message);
    return;
  }

  function visible(name) {
    const box = figure.querySelector(`input[data-layer="${name}"]`);
    return box ? box.checked : false;
  }

  function draw() {
    const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(w) || canvas.height !== Math.round(h)) {
      canvas.width = Math.round(w);
      canvas.height = Math.round(h);
    }
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(1, 1, 1, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    const cp = Math.cos(view.phi), sp = Math.sin(view.phi);
    const eye = [view.target[0] + view.dist * cp * Math.cos(view.theta),
                 view.target[1] + view.dist * cp * Math.sin(view.theta),
                 view.target[2] + view.dist * sp];
    const V = lookAt(eye, view.target, [0, 0, 1]);
    const P = perspective(0.6, canvas.width / canvas.height, size * 0.01, size * 10);
    const shown = [];
    for (const [name, fn] of Object.entries(draws)) {
      if (!visible(name)) continue;
      gl.useProgram(fn.program);
      gl.uniformMatrix4fv(gl.getUniformLocation(fn.program, "u_view"), false, V);
      gl.uniformMatrix4fv(gl.getUniformLocation(fn.program, "u_proj"), false, P);
      const hl = gl.getUniformLocation(fn.program, "u_height");
      if (hl) gl.uniform1f(hl, box[2]);
      fn();
      shown.push(name);
    }
    state.frames += 1;
    state.layers = shown;
  }

  let pending = false;
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); });
  }

  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, pan: e.shiftKey };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointerup", () => { drag = null; });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    if (drag.pan) {
      const s = view.dist / canvas.clientHeight;
      const right = [-Math.sin(view.theta), Math.cos(view.theta), 0];
      view.target[0] -= s * dx * right[0];
      view.target[1] -= s * dx * right[1];
      view.target[2] += s * dy;
    } else {
      view.theta -= dx * 0.01;
      view.phi = Math.max(-1.5, Math.min(1.5, view.phi + dy * 0.01));
    }
    redraw();
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    view.dist = Math.max(size * 0.05, Math.min(size * 8, view.dist * Math.exp(e.deltaY * 0.001)));
    redraw();
  }, { passive: false });
  figure.querySelectorAll("input[data-layer]").forEach((el) => el.addEventListener("change", redraw));
  figure.querySelector("button[data-reset]").addEventListener("click", () => {
    Object.assign(view, { theta: -0.75, phi: 0.5, dist: 1.6 * size, target: target0.slice() });
    redraw();
  });
  draw();
})();
