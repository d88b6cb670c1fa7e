DROP TABLE robot_posts;
DROP TABLE department_robots;
