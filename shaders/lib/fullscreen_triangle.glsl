// Vertex stage of a full-viewport pass: one triangle covering the viewport, no vertex buffer
// (draw 3 vertices).
void main() {
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
