// Vertex stage of a layer quad: the unit square placed by one matrix, with its source rectangle.
uniform mat3 u_matrix;  // unit square -> clip space (compositor/scene/geometry.py)
uniform vec4 u_uv;      // visible part of the source: u0, v0, u1, v1 (v down, row 0 = top)
in vec2 in_unit;        // corner of the unit square
out vec2 v_uv;

void main() {
    vec3 position = u_matrix * vec3(in_unit, 1.0);
    gl_Position = vec4(position.xy, 0.0, 1.0);
    v_uv = mix(u_uv.xy, u_uv.zw, in_unit);
}
