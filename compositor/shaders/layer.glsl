// One layer as a textured quad. Colours are premultiplied, in the blending space (sRGB-encoded by
// default, linear light in linear mode); fixed-function blending does the rest.
#version 430 core

#section VERTEX_SHADER
uniform mat3 u_matrix;  // unit square -> clip space (compositor/transform.py)
uniform vec4 u_uv;      // visible part of the source: u0, v0, u1, v1 (v down, row 0 = top)
in vec2 in_unit;        // corner of the unit square
out vec2 v_uv;

void main() {
    vec3 position = u_matrix * vec3(in_unit, 1.0);
    gl_Position = vec4(position.xy, 0.0, 1.0);
    v_uv = mix(u_uv.xy, u_uv.zw, in_unit);
}

#section FRAGMENT_SHADER
uniform sampler2D u_texture;  // premultiplied RGBA (images), coverage as RRRR (text), 1x1 white (colour)
uniform vec4 u_color;         // premultiplied tint with the layer opacity applied
uniform bool u_exact;         // texels map 1:1 to pixels: sample level 0 so the copy is exact
in vec2 v_uv;
out vec4 out_color;

void main() {
    vec4 texel = u_exact ? textureLod(u_texture, v_uv, 0.0) : texture(u_texture, v_uv);
    out_color = u_color * texel;
}
